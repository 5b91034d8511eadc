import type { Logger } from '../log/create-logger.ts';
import { eventLogger } from '../log/event-logger.ts';
import { StoreUnavailableError, type InboxRow, type Locked, type Store } from '../store/ports.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../util/backoff.ts';
import { createKeyedQueue } from '../util/keyed-queue.ts';

export interface DispatcherOptions {
  store: Store;
  log: Logger;
  /**
   * Handles one event completely (including marking its inbox row done, through `store`: on a
   * shared store, the one bound to the turn's transaction). Throws to ask for a retry, or
   * LeaveEventError to leave the event pending for another instance.
   */
  handle: (row: InboxRow, store: Store) => Promise<void>;
  /** Called after a user's queue has been worked through (e.g. to send what the turns produced). */
  afterDrain?: (userId: string) => void;
  retry?: BackoffPolicy;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The store itself failing (full disk, I/O error): the event is not to blame, so it is neither
   * counted nor parked; the user's queue stops and `resumeAll` (the periodic sweep) takes it up again.
   */
  isStoreFault?: (err: unknown) => boolean;
}

export interface Dispatcher {
  /** Something arrived for this user: work through their pending events, in order. */
  kick(userId: string): void;
  /** At start-up: every user with pending events (what a crash left behind). */
  resumeAll(): Promise<void>;
  /** Resolves when no user has work in progress. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * This instance must not handle the event (its user's conversation was written by a newer release
 * during a rolling deploy): it stays pending, no failure is counted, and the user's later events
 * wait behind it, for an instance that can.
 */
export class LeaveEventError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LeaveEventError';
  }
}

/** How long turns may run back to back before webhooks and LINE's answers get their turn. */
const TURN_SLICE_MS = 5;

export const DEFAULT_EVENT_RETRY: BackoffPolicy = { maxAttempts: 4, baseMs: 200, maxMs: 5_000 };

/**
 * One user's events strictly one at a time in arrival order (inbox seq); users in parallel. A failing
 * event is retried with backoff and then parked, so it never blocks the user's later events forever.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const log = opts.log.child({ module: 'dispatcher' });
  const retry = opts.retry ?? DEFAULT_EVENT_RETRY;
  const wait = opts.sleep ?? sleep;
  const queue = createKeyedQueue();
  let stopped = false;
  const scheduled = new Set<string>();
  /** Users whose events this instance leaves to another (logged once, not at every look). */
  const leaving = new Set<string>();

  // On a shared store each turn is a transaction under the user's lock, which another instance
  // may hold: then that instance works through the user's queue, and this one lets it.
  const shared = opts.store.shared;
  const runTurn = <T>(userId: string, work: (store: Store) => Promise<T>): Promise<Locked<T>> =>
    shared ? shared.withUserTurn(userId, work) : work(opts.store).then((value) => ({ locked: true, value }));

  // The store reads synchronously, so the turns of many users with a backlog start back to back in
  // one go (each then waits for its commit): without a pause, that would keep every webhook waiting
  // for its 200 (and LINE's answers unread). Turns get a slice of a few ms; then waiting I/O goes first.
  let sliceStartedAt = performance.now();
  async function yieldWhenSliceIsUsed(): Promise<void> {
    if (performance.now() - sliceStartedAt < TURN_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStartedAt = performance.now();
  }

  async function drain(userId: string): Promise<void> {
    scheduled.delete(userId);
    let handledOne = false;
    while (!stopped) {
      await yieldWhenSliceIsUsed();
      if (stopped) break;
      // After a turn, a plain read tells whether there is more before a transaction is opened for it
      // (most users have one event at a time). An event that arrives just after is kicked by the
      // instance that took it in, or found by the shared store's poll.
      if (shared && handledOne && !(await opts.store.nextInboxRow(userId))) break;
      let row: InboxRow | undefined;
      let outcome: Locked<boolean>;
      try {
        outcome = await runTurn(userId, async (store) => {
          row = await store.nextInboxRow(userId);
          if (!row) return false;
          await opts.handle(row, store);
          return true;
        });
      } catch (err) {
        // Not even the event could be read (the store is away): it stays pending for a later look.
        if (!row) throw err;
        const elog = eventLogger(log, { webhookEventId: row.eventId, userId });
        if (err instanceof LeaveEventError) {
          if (!leaving.has(userId)) elog.info({ ...err.details }, `${err.message}; left pending for another instance`);
          leaving.add(userId);
          break;
        }
        if (err instanceof StoreUnavailableError) {
          // Not the event's fault: no attempt counted (an outage must not park events). It is
          // looked at again when the store answers (the shared store's poll, or a restart).
          elog.warn({ err: err.message }, 'the store is unreachable; the event stays pending');
          break;
        }
        if (opts.isStoreFault?.(err)) {
          elog.error({ err }, 'the store failed; the event stays pending and is tried again once the store is back');
          break;
        }
        const attempts = row.attempts + 1;
        const park = attempts >= retry.maxAttempts;
        const message = err instanceof Error ? err.message : String(err);
        const recorded = await opts.store.recordInboxFailure(row.seq, message, park);
        if (recorded?.status === 'done') {
          // The turn was committed before the failure: running it again would answer twice.
          elog.error({ err }, 'event failed after its turn was committed; not run again');
        } else if (park) {
          elog.error({ err, attempts }, 'event failed repeatedly; parked so the user’s later events can go on');
        } else {
          const delay = backoffDelay(retry, attempts);
          elog.warn({ err, attempts, delayMs: delay }, 'event failed; retrying');
          await wait(delay);
        }
        continue;
      }
      if (!outcome.locked || !outcome.value) break;
      handledOne = true;
      leaving.delete(userId);
    }
    opts.afterDrain?.(userId);
  }

  return {
    kick(userId) {
      if (stopped || scheduled.has(userId)) return;
      // One pending drain per user is enough: it reads the inbox until it is empty.
      scheduled.add(userId);
      void queue.run(userId, () => drain(userId)).catch((err: unknown) => log.error({ err, userId }, 'dispatch loop failed'));
    },
    async resumeAll() {
      const users = await opts.store.usersWithPendingInbox();
      const fresh = users.filter((u) => !scheduled.has(u) && !leaving.has(u));
      if (fresh.length > 0 && !shared) log.info({ users: fresh.length }, 'resuming events left pending');
      else if (fresh.length > 0) log.debug({ users: fresh.length }, 'looking at users with pending events');
      for (const u of users) this.kick(u);
    },
    idle: () => queue.idle(),
    stop() {
      stopped = true;
    },
  };
}
