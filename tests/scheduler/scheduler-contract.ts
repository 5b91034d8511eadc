/**
 * The contract every Scheduler implementation must pass: run it from an implementation's test file
 * with `runSchedulerContract('name', factory)`. It drives the scheduler with a fake clock and checks
 * behaviour through the Scheduler and Store ports only: due order, exactly-once firing (also from two
 * instances on the same storage), the push policy (staleness, quiet hours, daily cap), cancellation,
 * restarts with overdue timers, and the wake-up plan.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SchedulerPolicy, Scheduler } from '../../src/scheduler/scheduler.ts';
import { createStoreScheduler, type TimerApi } from '../../src/scheduler/store-scheduler.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import type { Store, TimerRecord } from '../../src/store/ports.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';
import { parseTokyoInstant } from '../../src/time/tokyo.ts';
import { createLogCapture } from '../support/harness.ts';

export interface SchedulerFixture {
  store: Store;
  clock: FakeClock;
  scheduler: Scheduler;
  /** User ids passed to onFired, in order. */
  fired: string[];
  /** Every log record the scheduler wrote. */
  logs(): Array<Record<string, unknown>>;
  /** Stops the scheduler and closes the store. */
  close(): Promise<void>;
}

export interface SchedulerFactoryOptions {
  clock: FakeClock;
  policy?: Partial<SchedulerPolicy>;
  /** Default false: nothing fires unless runDue() is called. */
  autoRun?: boolean;
  timers?: TimerApi;
  maxSleepMs?: number;
  /** Open on the same storage as this earlier fixture: a restart, or a second process. */
  sameStorageAs?: SchedulerFixture;
}

export type SchedulerFactory = (opts: SchedulerFactoryOptions) => Promise<SchedulerFixture>;

/** The store scheduler over an opened store, as a fixture: what every store's factory returns. */
export function storeSchedulerFixture(store: Store, opts: SchedulerFactoryOptions): SchedulerFixture {
  const logs = createLogCapture();
  const log = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  const fired: string[] = [];
  const scheduler = createStoreScheduler({
    store,
    clock: opts.clock,
    log,
    onFired: (userId) => fired.push(userId),
    autoRun: opts.autoRun ?? false,
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.maxSleepMs !== undefined ? { maxSleepMs: opts.maxSleepMs } : {}),
  });
  let closed = false;
  return {
    store,
    clock: opts.clock,
    scheduler,
    fired,
    logs: () => logs.records().filter((r) => r.module === 'scheduler'),
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await store.close();
    },
  };
}

/** Tokyo wall-clock time ('2026-12-01T10:00') as epoch ms. */
export const jst = (local: string): number => parseTokyoInstant(local).getTime();

const ALICE = 'Ualice00000000000000000000000000a';
const BOB = 'Ubob0000000000000000000000000000b';
const CAROL = 'Ucarol0000000000000000000000000c';

/** Stores a timer the way the runtime does: inside a committed turn. */
export async function addTimer(
  store: Store,
  userId: string,
  dueAt: number,
  extra: { kind?: string; payload?: unknown; id?: string } = {},
): Promise<Omit<TimerRecord, 'status'>> {
  const t = { id: extra.id ?? randomUUID(), userId, kind: extra.kind ?? 'followUp', dueAt, payload: extra.payload ?? null, createdAt: dueAt - 60_000 };
  await store.commitTurn({ userId, scheduleTimers: [t] });
  return t;
}

/**
 * Plays the dispatcher and sender for fired timers: each pending timer event's turn is committed,
 * with one proactive push (sent at the clock's time) when `push` says so.
 */
export async function handleTimerTurns(
  fx: Pick<SchedulerFixture, 'store' | 'clock'>,
  push: (userId: string) => boolean = () => true,
): Promise<number> {
  let pushes = 0;
  for (const userId of await fx.store.usersWithPendingInbox()) {
    for (let row = await fx.store.nextInboxRow(userId); row; row = await fx.store.nextInboxRow(userId)) {
      const now = fx.clock.now().getTime();
      const isTimer = row.eventId.startsWith('timer:');
      const batch = { id: randomUUID(), userId, messages: [{ type: 'text', text: 'お知らせ' }], proactive: true, createdAt: now };
      await fx.store.commitTurn({ userId, inboxSeq: row.seq, outbox: isTimer && push(userId) ? [batch] : [] });
    }
    for (const b of await fx.store.pendingOutbox(userId)) {
      await fx.store.markOutboxSent(b.id, 'push', fx.clock.now().getTime());
      pushes++;
    }
  }
  return pushes;
}

const pendingDue = async (store: Store, userId: string) => (await store.pendingTimers(userId)).map((t) => t.dueAt);
const logged = (fx: SchedulerFixture, msg: string) => fx.logs().filter((r) => r.msg === msg);

/** A TimerApi that records the wake-ups the scheduler plans and lets the test run them. */
function createRecordingTimers() {
  let nextId = 0;
  const active = new Map<number, { fn: () => void; ms: number }>();
  const planned: number[] = [];
  let waiters: Array<() => void> = [];
  const api: TimerApi = {
    setTimeout(fn, ms) {
      const id = ++nextId;
      active.set(id, { fn, ms });
      planned.push(ms);
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
      return id;
    },
    clearTimeout(handle) {
      active.delete(handle as number);
    },
  };
  return {
    api,
    planned,
    active,
    /** Resolves at the next setTimeout call. */
    nextPlan: () => new Promise<void>((resolve) => waiters.push(resolve)),
    /** Runs the one active wake-up. */
    fire() {
      const entries = [...active.entries()];
      if (entries.length !== 1) throw new Error(`expected one planned wake-up, found ${entries.length}`);
      const [id, { fn }] = entries[0]!;
      active.delete(id);
      fn();
    },
  };
}

export function runSchedulerContract(name: string, factory: SchedulerFactory): void {
  describe(`Scheduler contract: ${name}`, () => {
    const open: SchedulerFixture[] = [];
    const make = async (opts: Partial<SchedulerFactoryOptions> & { start?: string } = {}) => {
      const { start, ...rest } = opts;
      const fx = await factory({ clock: opts.clock ?? createFakeClock(start ?? '2026-12-01T10:00'), ...rest });
      open.push(fx);
      return fx;
    };
    afterEach(async () => {
      for (const fx of open.splice(0)) await fx.close();
    });

    describe('firing', () => {
      it('fires every due timer in due order, as inbox events, and leaves later ones pending', async () => {
        const fx = await make({ start: '2026-12-01T10:10' });
        const a = await addTimer(fx.store, ALICE, jst('2026-12-01T10:05'), { kind: 'checkIn', payload: { step: 2 } });
        await addTimer(fx.store, BOB, jst('2026-12-01T10:01'));
        await addTimer(fx.store, CAROL, jst('2026-12-01T10:03'));
        const later = await addTimer(fx.store, ALICE, jst('2026-12-01T11:00'));

        expect(await fx.scheduler.runDue()).toBe(3);
        expect(fx.fired).toEqual([BOB, CAROL, ALICE]);
        expect(await fx.store.getInboxRow(`timer:${a.id}`)).toMatchObject({
          userId: ALICE,
          status: 'pending',
          receivedAt: jst('2026-12-01T10:10'),
          payload: { type: 'timer', timer: { id: a.id, kind: 'checkIn', dueAt: a.dueAt, payload: { step: 2 } } },
        });
        expect((await fx.store.pendingTimers(ALICE)).map((t) => t.id)).toEqual([later.id]);
        expect(await fx.scheduler.nextDueAt()).toBe(later.dueAt);
      });

      it('fires nothing before it is due, and a timer only once', async () => {
        const fx = await make({ start: '2026-12-01T09:59' });
        const t = await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        expect(await fx.scheduler.runDue()).toBe(0);
        fx.clock.set('2026-12-01T10:00');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(await fx.scheduler.runDue()).toBe(0);
        fx.clock.advanceMinutes(5);
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(fx.fired).toEqual([ALICE]);
        expect((await fx.store.getInboxRow(`timer:${t.id}`))?.receivedAt).toBe(jst('2026-12-01T10:00'));
      });

      it('runs concurrent runDue calls one after the other, firing each timer once', async () => {
        const fx = await make();
        for (let i = 0; i < 30; i++) await addTimer(fx.store, `U${i}`, jst('2026-12-01T09:30') + i);
        const counts = await Promise.all([fx.scheduler.runDue(), fx.scheduler.runDue(), fx.scheduler.runDue()]);
        expect(counts.reduce((s, n) => s + n, 0)).toBe(30);
        expect(new Set(fx.fired).size).toBe(30);
      });

      it('fires more timers than fit in one read', async () => {
        const fx = await make();
        for (let i = 0; i < 250; i++) await addTimer(fx.store, `U${i}`, jst('2026-12-01T09:00') + i);
        expect(await fx.scheduler.runDue()).toBe(250);
        expect(await fx.scheduler.nextDueAt()).toBeUndefined();
      });

      it('never fires a timer its user’s turn cancelled (by kind, all, or by deleting the data)', async () => {
        const fx = await make({ start: '2026-12-01T09:00' });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'), { kind: 'reminder' });
        const keep = await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'), { kind: 'checkIn' });
        await addTimer(fx.store, BOB, jst('2026-12-01T10:00'));
        await addTimer(fx.store, CAROL, jst('2026-12-01T10:00'));
        await fx.store.commitTurn({ userId: ALICE, cancelTimers: { kinds: ['reminder'] } });
        await fx.store.commitTurn({ userId: BOB, cancelTimers: 'all' });
        await fx.store.commitTurn({ userId: CAROL, deleteUserData: true });
        fx.clock.set('2026-12-01T10:00');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([ALICE]);
        expect(await fx.store.getInboxRow(`timer:${keep.id}`)).toBeDefined();
      });
    });

    describe('stale timers', () => {
      it('drops a timer overdue by more than the maximum lateness (24 h by default), with a log line', async () => {
        const fx = await make({ start: '2026-12-03T10:00' });
        const stale = await addTimer(fx.store, ALICE, jst('2026-12-02T09:59'));
        const fresh = await addTimer(fx.store, BOB, jst('2026-12-02T10:00'));
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([BOB]);
        expect(await fx.store.getInboxRow(`timer:${fresh.id}`)).toBeDefined();
        expect(await fx.store.getInboxRow(`timer:${stale.id}`)).toBeUndefined();
        expect(await fx.store.pendingTimers(ALICE)).toEqual([]);
        expect(logged(fx, 'dropped stale timer')).toEqual([expect.objectContaining({ timerId: stale.id, userId: ALICE, reason: 'late', level: 30 })]);
      });

      it('uses the configured maximum lateness', async () => {
        const fx = await make({ start: '2026-12-01T12:00', policy: { maxLatenessMs: 60 * 60_000 } });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:59'));
        await addTimer(fx.store, BOB, jst('2026-12-01T11:00'));
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([BOB]);
      });

      it('drops a timer past its own expiresAt (epoch ms or ISO-8601)', async () => {
        const fx = await make({ start: '2026-12-01T14:00' });
        const call = jst('2026-12-01T14:00');
        await addTimer(fx.store, ALICE, jst('2026-12-01T13:00'), { payload: { expiresAt: call } });
        await addTimer(fx.store, BOB, jst('2026-12-01T13:00'), { payload: { expiresAt: '2026-12-01T13:59:00+09:00' } });
        await addTimer(fx.store, CAROL, jst('2026-12-01T13:00'), { payload: { expiresAt: call + 60_000 } });
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([CAROL]);
        expect(logged(fx, 'dropped stale timer').map((r) => r.reason)).toEqual(['expired', 'expired']);
      });
    });

    describe('quiet hours (21:00–09:00 JST)', () => {
      it('moves a timer due 22:30 to 09:00 the next day, and fires it then', async () => {
        const fx = await make({ start: '2026-12-01T22:30' });
        const t = await addTimer(fx.store, ALICE, jst('2026-12-01T22:30'));
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-02T09:00')]);
        expect(logged(fx, 'timer moved out of quiet hours')).toEqual([
          expect.objectContaining({ timerId: t.id, from: '2026-12-01T13:30:00.000Z', to: '2026-12-02T00:00:00.000Z' }),
        ]);
        fx.clock.set('2026-12-02T08:59');
        expect(await fx.scheduler.runDue()).toBe(0);
        fx.clock.set('2026-12-02T09:00');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect((await fx.store.getInboxRow(`timer:${t.id}`))?.receivedAt).toBe(jst('2026-12-02T09:00'));
      });

      it('treats 21:00 as quiet, 20:59 and 09:00 as allowed, and early morning as the same day', async () => {
        const fx = await make({ start: '2026-12-01T20:59' });
        await addTimer(fx.store, ALICE, jst('2026-12-01T20:59'));
        expect(await fx.scheduler.runDue()).toBe(1);
        await addTimer(fx.store, BOB, jst('2026-12-01T21:00'));
        fx.clock.set('2026-12-01T21:00');
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, BOB)).toEqual([jst('2026-12-02T09:00')]);
        await addTimer(fx.store, CAROL, jst('2026-12-02T06:15'));
        fx.clock.set('2026-12-02T06:15');
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, CAROL)).toEqual([jst('2026-12-02T09:00')]);
      });

      it('drops a timer that would only be allowed after its own expiresAt', async () => {
        const fx = await make({ start: '2026-12-01T22:00' });
        await addTimer(fx.store, ALICE, jst('2026-12-01T22:00'), { payload: { expiresAt: jst('2026-12-02T08:30') } });
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await fx.store.pendingTimers(ALICE)).toEqual([]);
        expect(logged(fx, 'dropped stale timer')).toEqual([expect.objectContaining({ reason: 'expiresBeforeAllowed', blockedBy: 'quietHours' })]);
      });

      it('honours configured quiet hours', async () => {
        const fx = await make({ start: '2026-12-01T19:30', policy: { quietHours: { quietStart: 19 * 60, quietEnd: 8 * 60 } } });
        await addTimer(fx.store, ALICE, jst('2026-12-01T19:30'));
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-02T08:00')]);
      });
    });

    describe('daily cap', () => {
      it('sends one proactive push per user per day; the next waits for 09:00 the day after', async () => {
        const fx = await make();
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        const second = await addTimer(fx.store, ALICE, jst('2026-12-01T15:00'));
        await addTimer(fx.store, BOB, jst('2026-12-01T15:00'));

        expect(await fx.scheduler.runDue()).toBe(1);
        expect(await handleTimerTurns(fx)).toBe(1);
        fx.clock.set('2026-12-01T15:00');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([ALICE, BOB]);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-02T09:00')]);
        expect(logged(fx, 'daily push cap reached; timer moved to the next day')).toEqual([
          expect.objectContaining({ timerId: second.id, userId: ALICE }),
        ]);

        fx.clock.set('2026-12-02T09:00');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([ALICE, BOB, ALICE]);
      });

      it('counts the day from Tokyo midnight, not UTC midnight', async () => {
        const fx = await make({ start: '2026-12-02T00:30' });
        // 00:30 JST is still the previous day in UTC; a push then counts for the Tokyo day.
        const b = { id: randomUUID(), userId: ALICE, messages: [{ type: 'text', text: 'x' }], proactive: true, createdAt: jst('2026-12-02T00:30') };
        await fx.store.commitTurn({ userId: ALICE, outbox: [b] });
        await fx.store.markOutboxSent(b.id, 'push', jst('2026-12-02T00:30'));
        const t = await addTimer(fx.store, ALICE, jst('2026-12-02T10:00'));
        fx.clock.set('2026-12-02T10:00');
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-03T09:00')]);
        // Yesterday evening's push does not count today.
        fx.clock.set('2026-12-03T09:00');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(await fx.store.getInboxRow(`timer:${t.id}`)).toBeDefined();
      });

      it('counts a proactive push that is written but not sent yet', async () => {
        const fx = await make();
        const b = { id: randomUUID(), userId: ALICE, messages: [{ type: 'text', text: 'x' }], proactive: true, createdAt: jst('2026-12-01T09:30') };
        await fx.store.commitTurn({ userId: ALICE, outbox: [b] });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-02T09:00')]);
      });

      it('does not count answers to the user, only proactive pushes', async () => {
        const fx = await make();
        const b = { id: randomUUID(), userId: ALICE, messages: [{ type: 'text', text: 'x' }], proactive: false, createdAt: jst('2026-12-01T09:30') };
        await fx.store.commitTurn({ userId: ALICE, outbox: [b] });
        await fx.store.markOutboxSent(b.id, 'reply', jst('2026-12-01T09:30'));
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        expect(await fx.scheduler.runDue()).toBe(1);
      });

      it('holds a second timer while the first one’s turn has not run, then sends it if the first sent nothing', async () => {
        const fx = await make();
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-01T10:01')]);
        // The machine decided the first timer was no longer relevant: no push.
        expect(await handleTimerTurns(fx, () => false)).toBe(0);
        fx.clock.set('2026-12-01T10:01');
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(fx.fired).toEqual([ALICE, ALICE]);
      });

      it('moves the held timer to the next day once the first one did push', async () => {
        const fx = await make();
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        expect(await fx.scheduler.runDue()).toBe(1);
        expect(await handleTimerTurns(fx)).toBe(1);
        fx.clock.set('2026-12-01T10:01');
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-02T09:00')]);
      });

      it('allows as many pushes a day as PUSH_DAILY_CAP says', async () => {
        const fx = await make({ policy: { dailyCap: 2 } });
        for (const at of ['10:00', '11:00', '12:00']) await addTimer(fx.store, ALICE, jst(`2026-12-01T${at}`));
        for (const at of ['10:00', '11:00', '12:00']) {
          fx.clock.set(`2026-12-01T${at}`);
          await fx.scheduler.runDue();
          await handleTimerTurns(fx);
        }
        expect(fx.fired).toEqual([ALICE, ALICE]);
        expect(await pendingDue(fx.store, ALICE)).toEqual([jst('2026-12-02T09:00')]);
      });

      it('drops timers when PUSH_DAILY_CAP is 0 (no proactive pushes at all)', async () => {
        const fx = await make({ policy: { dailyCap: 0 } });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00'));
        expect(await fx.scheduler.runDue()).toBe(0);
        expect(await fx.store.pendingTimers(ALICE)).toEqual([]);
        expect(fx.fired).toEqual([]);
      });
    });

    describe('restarts and other processes', () => {
      it('keeps timers across a restart; overdue ones are sent at start-up if fresh and dropped if stale', async () => {
        const first = await make({ start: '2026-12-01T10:00' });
        const fresh = await addTimer(first.store, ALICE, jst('2026-12-01T18:00'));
        const stale = await addTimer(first.store, BOB, jst('2026-12-01T11:00'));
        const future = await addTimer(first.store, CAROL, jst('2026-12-03T10:00'));
        await first.close();
        open.splice(open.indexOf(first), 1);

        // Down from 10:00 on the 1st until 12:00 on the 2nd.
        const second = await make({ start: '2026-12-02T12:00', sameStorageAs: first });
        await second.scheduler.start();
        expect(second.fired).toEqual([ALICE]);
        expect(await second.store.getInboxRow(`timer:${fresh.id}`)).toBeDefined();
        expect(await second.store.getInboxRow(`timer:${stale.id}`)).toBeUndefined();
        expect(logged(second, 'dropped stale timer')).toEqual([expect.objectContaining({ timerId: stale.id })]);
        expect(logged(second, 'handled timers that fell due while Akari was down')).toEqual([
          expect.objectContaining({ fired: 1, dropped: 1, deferred: 0 }),
        ]);
        expect((await second.store.pendingTimers(CAROL)).map((t) => t.id)).toEqual([future.id]);
      });

      it('moves an overdue timer found at start-up during quiet hours to 09:00', async () => {
        const first = await make({ start: '2026-12-01T10:00' });
        await addTimer(first.store, ALICE, jst('2026-12-01T20:30'));
        await first.close();
        open.splice(open.indexOf(first), 1);
        const second = await make({ start: '2026-12-02T07:00', sameStorageAs: first });
        await second.scheduler.start();
        expect(second.fired).toEqual([]);
        expect(await pendingDue(second.store, ALICE)).toEqual([jst('2026-12-02T09:00')]);
      });

      it('fires each due timer exactly once when two instances on the same storage run at once', async () => {
        const clock = createFakeClock('2026-12-01T10:00');
        const a = await make({ clock });
        const b = await make({ clock, sameStorageAs: a });
        const ids: string[] = [];
        for (let i = 0; i < 300; i++) ids.push((await addTimer(a.store, `U${String(i).padStart(4, '0')}`, jst('2026-12-01T09:00') + i)).id);

        const [na, nb] = await Promise.all([a.scheduler.runDue(), b.scheduler.runDue()]);
        expect(na + nb).toBe(300);
        const users = [...a.fired, ...b.fired];
        expect(new Set(users).size).toBe(300);
        for (const id of ids) expect(await b.store.getInboxRow(`timer:${id}`)).toBeDefined();
        expect(await a.store.nextTimerDueAt()).toBeUndefined();
      });
    });

    describe('waking up', () => {
      it('in manual mode (fake clock) never plans a wake-up: only runDue fires', async () => {
        const timers = createRecordingTimers();
        const fx = await make({ timers: timers.api, autoRun: false });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:05'));
        await fx.scheduler.start();
        fx.scheduler.wake();
        fx.clock.set('2026-12-01T10:05');
        await Promise.resolve();
        expect(timers.planned).toEqual([]);
        expect(fx.fired).toEqual([]);
        expect(await fx.scheduler.runDue()).toBe(1);
      });

      it('in auto mode keeps one wake-up aimed at the next due timer, never further than the maximum sleep', async () => {
        const timers = createRecordingTimers();
        const fx = await make({ timers: timers.api, autoRun: true, maxSleepMs: 60_000 });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00') + 10_000);
        await fx.scheduler.start();
        expect(timers.planned).toEqual([10_000]);

        // A turn stored an earlier timer: wake() re-plans, and only one wake-up stays planned.
        await addTimer(fx.store, BOB, jst('2026-12-01T10:00') + 3_000);
        let plan = timers.nextPlan();
        fx.scheduler.wake();
        await plan;
        expect(timers.planned).toEqual([10_000, 3_000]);
        expect(timers.active.size).toBe(1);

        fx.clock.advance(3_000);
        plan = timers.nextPlan();
        timers.fire();
        await plan;
        expect(fx.fired).toEqual([BOB]);
        expect(timers.planned.at(-1)).toBe(7_000);

        fx.clock.advance(7_000);
        plan = timers.nextPlan();
        timers.fire();
        await plan;
        expect(fx.fired).toEqual([BOB, ALICE]);
        // Nothing pending: look again after the maximum sleep (a changed clock, another process).
        expect(timers.planned.at(-1)).toBe(60_000);

        await addTimer(fx.store, CAROL, jst('2026-12-01T12:00'));
        plan = timers.nextPlan();
        fx.scheduler.wake();
        await plan;
        expect(timers.planned.at(-1)).toBe(60_000);
        expect(timers.active.size).toBe(1);

        await fx.scheduler.stop();
        expect(timers.active.size).toBe(0);
        fx.scheduler.wake();
        await new Promise((r) => setImmediate(r));
        expect(timers.active.size).toBe(0);
      });

      it('a wake-up that comes early (clock changed) fires nothing and plans again', async () => {
        const timers = createRecordingTimers();
        const fx = await make({ timers: timers.api, autoRun: true });
        await addTimer(fx.store, ALICE, jst('2026-12-01T10:00') + 30_000);
        await fx.scheduler.start();
        expect(timers.planned).toEqual([30_000]);
        fx.clock.advance(10_000);
        const plan = timers.nextPlan();
        timers.fire();
        await plan;
        expect(fx.fired).toEqual([]);
        expect(timers.planned.at(-1)).toBe(20_000);
      });
    });
  });
}
