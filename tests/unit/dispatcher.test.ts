import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, LeaveEventError, type DispatcherOptions } from '../../src/inbox/dispatcher.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { StoreUnavailableError, type InboxEvent, type InboxRow, type Store } from '../../src/store/ports.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { BackoffPolicy } from '../../src/util/backoff.ts';
import { createLogCapture } from '../support/harness.ts';

const ALICE = 'Ualice';
const BOB = 'Ubob';
const RETRY: BackoffPolicy = { maxAttempts: 3, baseMs: 100, maxMs: 1000 };

let n = 0;
const event = (userId: string): InboxEvent => ({ eventId: `EV-${++n}`, userId, payload: { type: 'message', n }, receivedAt: n });
const tick = () => new Promise<void>((r) => setImmediate(r));

/** Waits for a condition that another async path makes true; fails (instead of hanging) if it never does. */
function gate(what: string, timeoutMs = 5000) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let timer: NodeJS.Timeout | undefined;
  const wait = Promise.race([
    opened,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  wait.catch(() => undefined);
  return { open, wait: () => wait };
}

describe('dispatcher', () => {
  let store: Store;
  let logs: ReturnType<typeof createLogCapture>;
  let sleeps: number[];

  beforeEach(() => {
    store = createSqliteStore('file::memory:');
    logs = createLogCapture();
    sleeps = [];
  });
  afterEach(async () => {
    await store.close();
  });

  function dispatcher(handle: DispatcherOptions['handle'], extra: Partial<DispatcherOptions> = {}) {
    return createDispatcher({
      store,
      log: createLogger({ level: 'debug', pretty: false, destination: logs.stream }),
      handle,
      retry: RETRY,
      // Backoff is recorded, not waited for.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...extra,
    });
  }

  /** A handle that finishes the event the way the runtime does: by committing its turn. */
  const finish = (row: InboxRow) => store.commitTurn({ userId: row.userId, inboxSeq: row.seq });

  async function accept(...events: InboxEvent[]) {
    await store.acceptEvents(events);
    return Promise.all(events.map(async (e) => (await store.getInboxRow(e.eventId))!));
  }

  it("handles one user's events one at a time, in inbox order, however often it is kicked", async () => {
    const rows = await accept(...Array.from({ length: 20 }, () => event(ALICE)));
    const handled: number[] = [];
    let running = 0;
    let overlap = false;
    const d = dispatcher(async (row) => {
      running++;
      if (running > 1) overlap = true;
      // Give any second drain every chance to start while this event is in progress.
      d.kick(ALICE);
      await tick();
      await tick();
      handled.push(row.seq);
      await finish(row);
      running--;
    });
    for (let i = 0; i < 5; i++) d.kick(ALICE);
    await d.resumeAll();
    await d.idle();
    expect(overlap).toBe(false);
    expect(handled).toEqual(rows.map((r) => r.seq));
    expect(await store.usersWithPendingInbox()).toEqual([]);
  });

  it('handles different users in parallel', async () => {
    await accept(event(ALICE), event(BOB));
    const bobStarted = gate("Bob's event started while Alice's was in progress");
    const finishedOrder: string[] = [];
    const d = dispatcher(async (row) => {
      if (row.userId === ALICE) await bobStarted.wait();
      else bobStarted.open();
      finishedOrder.push(row.userId);
      await finish(row);
    });
    d.kick(ALICE);
    d.kick(BOB);
    await d.idle();
    expect(finishedOrder).toEqual([BOB, ALICE]);
    expect(await store.usersWithPendingInbox()).toEqual([]);
  });

  it("retries a failing event with backoff, then parks it and goes on with the user's later events", async () => {
    const [bad, good] = await accept(event(ALICE), event(ALICE));
    const calls: string[] = [];
    const d = dispatcher(async (row) => {
      calls.push(row.eventId);
      if (row.eventId === bad!.eventId) throw new Error('snapshot could not be saved');
      await finish(row);
    });
    d.kick(ALICE);
    await d.idle();

    // Retried in place (the later event waits), then parked.
    expect(calls).toEqual([bad!.eventId, bad!.eventId, bad!.eventId, good!.eventId]);
    expect(await store.getInboxRow(bad!.eventId)).toMatchObject({ status: 'parked', attempts: RETRY.maxAttempts, lastError: 'snapshot could not be saved' });
    expect((await store.getInboxRow(good!.eventId))?.status).toBe('done');
    // Two waits between three attempts, growing and bounded.
    expect(sleeps).toHaveLength(RETRY.maxAttempts - 1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(RETRY.baseMs / 2);
    expect(sleeps[0]).toBeLessThanOrEqual(RETRY.baseMs);
    expect(sleeps[1]).toBeGreaterThanOrEqual(RETRY.baseMs);
    expect(sleeps[1]).toBeLessThanOrEqual(RETRY.baseMs * 2);

    const records = logs.records();
    const warnings = records.filter((r) => r.level === 40 && r.module === 'dispatcher');
    expect(warnings).toHaveLength(RETRY.maxAttempts - 1);
    for (const w of warnings) expect(w.webhookEventId).toBe(bad!.eventId);
    const errors = records.filter((r) => r.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ webhookEventId: bad!.eventId, userId: ALICE, attempts: RETRY.maxAttempts });
  });

  it('does not let a parked event hold up other users', async () => {
    const [bad] = await accept(event(ALICE));
    const [bobs] = await accept(event(BOB));
    const d = dispatcher(async (row) => {
      if (row.eventId === bad!.eventId) throw new Error('boom');
      await finish(row);
    });
    d.kick(ALICE);
    d.kick(BOB);
    await d.idle();
    expect((await store.getInboxRow(bobs!.eventId))?.status).toBe('done');
    expect((await store.getInboxRow(bad!.eventId))?.status).toBe('parked');
  });

  it('handles an event again after a passing failure, once it succeeds', async () => {
    const [row] = await accept(event(ALICE));
    let calls = 0;
    const d = dispatcher(async (r) => {
      calls++;
      if (calls === 1) throw new Error('database is locked');
      await finish(r);
    });
    d.kick(ALICE);
    await d.idle();
    expect(calls).toBe(2);
    expect(await store.getInboxRow(row!.eventId)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('counts attempts across restarts: an event that already failed before is parked sooner', async () => {
    const [row] = await accept(event(ALICE));
    await store.recordInboxFailure(row!.seq, 'failed before the restart', false);
    await store.recordInboxFailure(row!.seq, 'failed before the restart', false);
    let calls = 0;
    const d = dispatcher(async () => {
      calls++;
      throw new Error('still failing');
    });
    await d.resumeAll();
    await d.idle();
    expect(calls).toBe(1);
    expect((await store.getInboxRow(row!.eventId))?.status).toBe('parked');
  });

  it('never runs an event again once its turn was committed, even if something after the commit threw', async () => {
    const [first, second] = await accept(event(ALICE), event(ALICE));
    const calls: string[] = [];
    const d = dispatcher(async (row) => {
      calls.push(row.eventId);
      await finish(row);
      if (row.eventId === first!.eventId) throw new Error('a turn listener failed');
    });
    d.kick(ALICE);
    await d.idle();
    expect(calls).toEqual([first!.eventId, second!.eventId]);
    expect((await store.getInboxRow(first!.eventId))?.status).toBe('done');
    // Not a retry: no backoff, and the log says what happened.
    expect(sleeps).toEqual([]);
    const errors = logs.records().filter((r) => r.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ webhookEventId: first!.eventId });
    expect(String(errors[0]!.msg)).toMatch(/committed/);
  });

  it('picks up events that arrive while the user’s queue is being worked through', async () => {
    await accept(event(ALICE));
    const handled: string[] = [];
    let added = 0;
    const d = dispatcher(async (row) => {
      if (added < 3) {
        added++;
        await accept(event(ALICE));
        d.kick(ALICE);
      }
      handled.push(row.eventId);
      await finish(row);
    });
    d.kick(ALICE);
    await d.idle();
    expect(handled).toHaveLength(4);
    expect(await store.usersWithPendingInbox()).toEqual([]);
  });

  it('resumes every user with pending events at start, skipping parked and finished ones', async () => {
    const [a1, a2] = await accept(event(ALICE), event(ALICE));
    const [b1] = await accept(event(BOB));
    const [c1] = await accept(event('Ucarol'));
    await store.commitTurn({ userId: ALICE, inboxSeq: a1!.seq });
    await store.recordInboxFailure(c1!.seq, 'gave up', true);
    const handled: string[] = [];
    const d = dispatcher(async (row) => {
      handled.push(row.eventId);
      await finish(row);
    });
    await d.resumeAll();
    await d.idle();
    expect(handled.sort()).toEqual([a2!.eventId, b1!.eventId].sort());
    expect(logs.records().some((r) => r.msg === 'resuming events left pending' && r.users === 2)).toBe(true);
  });

  it('stops taking work after stop(): the event in progress finishes, the rest waits for the next start', async () => {
    const [first, second] = await accept(event(ALICE), event(ALICE));
    const handled: string[] = [];
    const d = dispatcher(async (row) => {
      handled.push(row.eventId);
      if (row.eventId === first!.eventId) d.stop();
      await finish(row);
    });
    d.kick(ALICE);
    await d.idle();
    expect(handled).toEqual([first!.eventId]);
    expect((await store.getInboxRow(second!.eventId))?.status).toBe('pending');
    d.kick(ALICE);
    await d.idle();
    expect(handled).toEqual([first!.eventId]);
  });

  it('logs a failing store instead of crashing, and stays usable', async () => {
    await accept(event(ALICE));
    let broken = true;
    const flaky: Store = {
      ...store,
      nextInboxRow: (userId) => (broken ? Promise.reject(new Error('disk I/O error')) : store.nextInboxRow(userId)),
    };
    const handled: string[] = [];
    const d = dispatcher(
      async (row) => {
        handled.push(row.eventId);
        await finish(row);
      },
      { store: flaky },
    );
    d.kick(ALICE);
    await d.idle();
    expect(handled).toEqual([]);
    expect(logs.records().some((r) => r.level === 50 && r.userId === ALICE)).toBe(true);
    broken = false;
    d.kick(ALICE);
    await d.idle();
    expect(handled).toHaveLength(1);
  });

  it('leaves an event pending, with no failure counted, when the store is unreachable or another instance should take it', async () => {
    const [row, later] = (await accept(event(ALICE), event(ALICE))) as [InboxRow, InboxRow];
    const handled: string[] = [];
    let failWith: Error | undefined = new StoreUnavailableError('PostgreSQL is not reachable: Connection terminated');
    const d = dispatcher(async (r) => {
      if (failWith) throw failWith;
      handled.push(r.eventId);
      await finish(r);
    });
    d.kick(ALICE);
    await d.idle();
    // Neither an attempt nor a backoff: an outage must not park events.
    expect(await store.getInboxRow(row.eventId)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(sleeps).toEqual([]);
    failWith = new LeaveEventError('the conversation was written by a newer machine version', { snapshotVersion: 3 });
    d.kick(ALICE);
    await d.idle();
    d.kick(ALICE);
    await d.idle();
    expect(await store.getInboxRow(row.eventId)).toMatchObject({ status: 'pending', attempts: 0 });
    // The user's later event waits behind it, and the log says so once.
    expect((await store.getInboxRow(later.eventId))?.status).toBe('pending');
    expect(logs.records().filter((r) => String(r.msg).includes('left pending for another instance'))).toHaveLength(1);
    failWith = undefined;
    d.kick(ALICE);
    await d.idle();
    expect(handled).toEqual([row.eventId, later.eventId]);
  });
});
