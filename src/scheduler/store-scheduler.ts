/**
 * The scheduler over the Store port. With the SQLite store this is the embedded scheduler: timers
 * live in the same database file as everything else, and `store.fireTimer` claims a timer with
 * BEGIN IMMEDIATE, so two processes on one file never fire the same timer twice. Nothing here is
 * SQLite-specific: the PostgreSQL store's `fireTimer` is as atomic, and its `shared.withSchedulerLock`
 * lets one instance's run at a time apply the push policy (daily cap, quiet hours) to due timers.
 *
 * Waking up: in auto mode one setTimeout is kept, aimed at the next due timer but never further
 * than `maxSleepMs` away (so a changed system clock or a timer added by another process is noticed);
 * no polling loop. In manual mode (a fake clock) nothing fires by itself: tests and /local/clock
 * call `runDue()`.
 */
import type { Logger } from '../log/create-logger.ts';
import { eventLogger } from '../log/event-logger.ts';
import type { InboxEvent, Store, TimerRecord } from '../store/ports.ts';
import type { Clock } from '../time/clock.ts';
import {
  capDayStart,
  checkDailyCap,
  checkTiming,
  resolveSchedulerPolicy,
  timerExpiresAt,
  type PushUsage,
  type Scheduler,
  type SchedulerPolicy,
} from './scheduler.ts';

/** The two timer functions the wake-up needs; tests pass a recording fake. */
export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StoreSchedulerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** A timer became an inbox event: main kicks the dispatcher for the user. */
  onFired: (userId: string, event: InboxEvent) => void;
  policy?: Partial<SchedulerPolicy>;
  /** true: wake up by itself (system clock). false: only `runDue()` fires timers (fake clock). */
  autoRun: boolean;
  /** Longest sleep between two looks at the store in auto mode (default 60 s). */
  maxSleepMs?: number;
  /** Due timers read per query (default 100). */
  batchSize?: number;
  timers?: TimerApi;
  /** Told what became of each due timer (metrics: akari_timers_total, akari_timer_lateness_seconds). */
  onTimer?: (result: 'fired' | 'dropped' | 'deferred', lateMs?: number) => void;
}

export const DEFAULT_MAX_SLEEP_MS = 60_000;

const realTimers: TimerApi = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    // The HTTP server keeps the process alive; a pending wake-up alone should not.
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

interface RunStats {
  fired: number;
  dropped: number;
  deferred: number;
}

export function createStoreScheduler(opts: StoreSchedulerOptions): Scheduler {
  const log = opts.log.child({ module: 'scheduler' });
  const policy = resolveSchedulerPolicy(opts.policy);
  const maxSleepMs = opts.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
  const batchSize = opts.batchSize ?? 100;
  const timers = opts.timers ?? realTimers;
  const { store, clock } = opts;

  let started = false;
  let stopped = false;
  let wakeHandle: unknown;
  let planGeneration = 0;
  // Runs never overlap: a second caller waits for the first, then looks again.
  let chain: Promise<unknown> = Promise.resolve();

  const iso = (ms: number) => new Date(ms).toISOString();
  const tlog = (t: TimerRecord) => eventLogger(log, { timerId: t.id, userId: t.userId, kind: t.kind });

  async function usageOf(userId: string, now: number): Promise<PushUsage> {
    const [sentToday, pending, inFlight] = await Promise.all([
      store.countProactiveSentSince(userId, capDayStart(now)),
      store.pendingOutbox(userId),
      store.countPendingTimerEvents(userId),
    ]);
    return { sentToday, queued: pending.filter((b) => b.proactive).length, inFlight };
  }

  async function drop(t: TimerRecord, details: Record<string, unknown>): Promise<void> {
    await store.cancelTimer(t.id);
    opts.onTimer?.('dropped');
    tlog(t).info({ dueAt: iso(t.dueAt), ...details }, 'dropped stale timer');
  }

  /** Moves a timer later, unless it would only be allowed after its own deadline. */
  async function defer(t: TimerRecord, until: number, reason: string): Promise<'deferred' | 'dropped'> {
    const expiresAt = timerExpiresAt(t.payload);
    if (expiresAt !== undefined && until >= expiresAt) {
      await drop(t, { reason: 'expiresBeforeAllowed', blockedBy: reason, allowedAt: iso(until), expiresAt: iso(expiresAt) });
      return 'dropped';
    }
    await store.rescheduleTimer(t.id, until);
    opts.onTimer?.('deferred');
    const message =
      reason === 'quietHours'
        ? 'timer moved out of quiet hours'
        : reason === 'dailyCap'
          ? 'daily push cap reached; timer moved to the next day'
          : 'timer waits for the user’s fired timer before the daily cap is counted';
    const details = { reason, from: iso(t.dueAt), to: iso(until) };
    if (reason === 'capInDoubt') tlog(t).debug(details, message);
    else tlog(t).info(details, message);
    return 'deferred';
  }

  async function handleTimer(t: TimerRecord, stats: RunStats): Promise<void> {
    const now = clock.now().getTime();
    const timing = checkTiming(t, now, policy);
    if (timing.action === 'drop') {
      await drop(t, timing.reason === 'late' ? { reason: 'late', lateMs: timing.lateMs } : { reason: 'expired', expiresAt: iso(timing.expiresAt) });
      stats.dropped++;
      return;
    }
    if (timing.action === 'defer') {
      stats[await defer(t, timing.until, timing.reason)]++;
      return;
    }
    const cap = checkDailyCap(await usageOf(t.userId, now), now, policy);
    if (cap.action === 'drop') {
      await store.cancelTimer(t.id);
      opts.onTimer?.('dropped');
      tlog(t).info({ dueAt: iso(t.dueAt) }, 'dropped timer: proactive pushes are off (PUSH_DAILY_CAP=0)');
      stats.dropped++;
      return;
    }
    if (cap.action === 'defer' || cap.action === 'recheck') {
      stats[await defer(t, cap.until, cap.reason)]++;
      return;
    }
    const event = await store.fireTimer(t.id, now);
    if (!event) {
      // Another process claimed it, or the user's turn cancelled it meanwhile.
      tlog(t).debug('timer no longer pending; not fired');
      return;
    }
    stats.fired++;
    opts.onTimer?.('fired', now - t.dueAt);
    tlog(t).info({ dueAt: iso(t.dueAt), lateMs: Math.max(0, now - t.dueAt) }, 'timer fired');
    try {
      opts.onFired(t.userId, event);
    } catch (err) {
      // The event is durable in the inbox: the dispatcher's resume picks it up anyway.
      tlog(t).error({ err }, 'onFired failed');
    }
  }

  async function runOnce(): Promise<RunStats> {
    const stats: RunStats = { fired: 0, dropped: 0, deferred: 0 };
    if (stopped) return stats;
    const attempted = new Set<string>();
    for (;;) {
      const due = await store.dueTimers(clock.now().getTime(), batchSize);
      const fresh = due.filter((t) => !attempted.has(t.id));
      if (fresh.length === 0) break;
      for (const t of fresh) attempted.add(t.id);
      // One user's timers in order (the daily cap counts the ones before), users side by side: their
      // claims then share the store's group commits instead of one transaction each.
      const byUser = new Map<string, TimerRecord[]>();
      for (const t of fresh) byUser.set(t.userId, [...(byUser.get(t.userId) ?? []), t]);
      const handleUser = async (userTimers: TimerRecord[]) => {
        for (const t of userTimers) {
          if (stopped) return;
          try {
            await handleTimer(t, stats);
          } catch (err) {
            // One bad timer never holds up the others; it stays pending and is tried on the next run.
            tlog(t).error({ err }, 'could not handle a due timer');
          }
        }
      };
      // A shared store (PostgreSQL) has no group commit for the claims to share, and claims made side
      // by side would fire in whatever order their round trips end: there, users go one after the
      // other, in due order.
      if (store.shared) for (const userTimers of byUser.values()) await handleUser(userTimers);
      else await Promise.all([...byUser.values()].map(handleUser));
      if (stopped) return stats;
      if (due.length < batchSize) break;
    }
    return stats;
  }

  // Several instances on one database (PostgreSQL): one scheduler at a time looks at due timers, so
  // the daily cap and the quiet hours count what every instance has fired.
  const runExclusive = (): Promise<RunStats> => (store.shared ? store.shared.withSchedulerLock(runOnce) : runOnce());

  function run(): Promise<RunStats> {
    const result = chain.then(runExclusive);
    chain = result.catch(() => undefined);
    return result;
  }

  async function plan(): Promise<void> {
    if (!opts.autoRun || !started || stopped) return;
    const generation = ++planGeneration;
    let next: number | undefined;
    try {
      next = await store.nextTimerDueAt();
    } catch (err) {
      log.error({ err }, 'could not read the next due timer; trying again later');
    }
    // A later plan() (or stop()) superseded this one while it read the store.
    if (generation !== planGeneration || stopped) return;
    const delay = next === undefined ? maxSleepMs : Math.min(Math.max(0, next - clock.now().getTime()), maxSleepMs);
    if (wakeHandle !== undefined) timers.clearTimeout(wakeHandle);
    wakeHandle = timers.setTimeout(() => {
      wakeHandle = undefined;
      void run()
        .catch((err: unknown) => log.error({ err }, 'timer run failed'))
        .then(() => plan());
    }, delay);
  }

  return {
    async start() {
      if (started || stopped) return;
      started = true;
      const stats = await run();
      if (stats.fired + stats.dropped + stats.deferred > 0) log.info({ ...stats }, 'handled timers that fell due while Akari was down');
      await plan();
    },
    async stop() {
      stopped = true;
      planGeneration++;
      if (wakeHandle !== undefined) timers.clearTimeout(wakeHandle);
      wakeHandle = undefined;
      await chain;
    },
    wake() {
      void plan();
    },
    async runDue() {
      return (await run()).fired;
    },
    nextDueAt: () => store.nextTimerDueAt(),
  };
}
