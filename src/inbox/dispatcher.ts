import type { Logger } from '../log/create-logger.ts';
import { eventLogger } from '../log/event-logger.ts';
import type { InboxRow, Store } from '../store/ports.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../util/backoff.ts';
import { createKeyedQueue } from '../util/keyed-queue.ts';

export interface DispatcherOptions {
  store: Store;
  log: Logger;
  /** Handles one event completely (including marking its inbox row done). Throws to ask for a retry. */
  handle: (row: InboxRow) => Promise<void>;
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
    while (!stopped) {
      await yieldWhenSliceIsUsed();
      if (stopped) break;
      const row = await opts.store.nextInboxRow(userId);
      if (!row) break;
      const elog = eventLogger(log, { webhookEventId: row.eventId, userId });
      try {
        await opts.handle(row);
      } catch (err) {
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
      }
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
      if (users.length > 0) log.info({ users: users.length }, 'resuming events left pending');
      for (const u of users) this.kick(u);
    },
    idle: () => queue.idle(),
    stop() {
      stopped = true;
    },
  };
}
