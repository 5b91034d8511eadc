/**
 * Durability of timers and their pushes across crashes and restarts. The first "process" is built
 * from the real parts (SQLite store, scheduler, dispatcher, outbox sender, LINE gateway) with a
 * stand-in for the conversation; the restart is the real startAkari on the same file.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/inbox/dispatcher.ts';
import { createLineGateway, type LineGateway } from '../../src/line/gateway.ts';
import { createOutboxSender } from '../../src/line/outbox-sender.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createStoreScheduler } from '../../src/scheduler/store-scheduler.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';
import { startHarness, tempDatabaseUrl, TEST_TOKEN, type Harness } from '../support/harness.ts';
import { jst } from './scheduler-contract.ts';

const USER = 'U0123456789abcdef0123456789abcdef';
const REMINDER = 'あした10時の電話、準備はできていますか？';

async function addTimer(store: Store, userId: string, dueAt: number) {
  const t = { id: randomUUID(), userId, kind: 'callReminder', dueAt, payload: null, createdAt: 0 };
  await store.commitTurn({ userId, scheduleTimers: [t] });
  return t;
}

/** One Akari process with a stand-in conversation: every timer turn pushes one reminder. */
function startStubProcess(url: string, gateway: LineGateway, clock: FakeClock) {
  const log = createLogger({ level: 'silent', pretty: false });
  const store = createSqliteStore(url);
  const sender = createOutboxSender({ store, gateway, clock, log, replyTokenMaxAgeMs: 50_000, retry: { maxAttempts: 3, baseMs: 1, maxMs: 2 } });
  const dispatcher = createDispatcher({
    store,
    log,
    handle: async (row) => {
      const isTimer = row.eventId.startsWith('timer:');
      const batch = { id: randomUUID(), userId: row.userId, messages: [{ type: 'text', text: REMINDER }], proactive: true, createdAt: clock.now().getTime() };
      await store.commitTurn({ userId: row.userId, inboxSeq: row.seq, outbox: isTimer ? [batch] : [] });
      void sender.flush(row.userId);
    },
  });
  const scheduler = createStoreScheduler({ store, clock, log, onFired: (userId) => dispatcher.kick(userId), autoRun: false });
  return { store, sender, dispatcher, scheduler };
}

describe('crashes and restarts', () => {
  let platform: LinePlatform;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await platform?.close();
  });

  async function startPlatform(clock: FakeClock) {
    platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN });
    return platform.listen(0, '127.0.0.1');
  }

  it('a crash between LINE accepting a timer’s push and marking it sent: the restart retries with the same key, LINE answers 409, the user gets it once', async () => {
    const clock = createFakeClock('2026-12-01T10:00');
    const apiBaseUrl = await startPlatform(clock);
    const url = tempDatabaseUrl();
    const real = createLineGateway({ channelAccessToken: TEST_TOKEN, apiBaseUrl });
    let pushed!: () => void;
    const pushedOnce = new Promise<void>((resolve) => (pushed = resolve));
    // LINE accepts the push, then the process dies before it hears back or marks the batch sent.
    const dying: LineGateway = {
      reply: (token, messages) => real.reply(token, messages),
      async push(to, messages, retryKey) {
        await real.push(to, messages, retryKey);
        pushed();
        return new Promise(() => {});
      },
    };

    const first = startStubProcess(url, dying, clock);
    const timer = await addTimer(first.store, USER, jst('2026-12-01T10:00'));
    expect(await first.scheduler.runDue()).toBe(1);
    await pushedOnce;
    expect(platform.textsFor(USER)).toEqual([REMINDER]);
    const [batch] = await first.store.pendingOutbox(USER);
    expect(batch).toMatchObject({ proactive: true, status: 'pending' });
    // The crash.
    first.dispatcher.stop();
    await first.store.close();

    h = await startHarness({ databaseUrl: url, platform, clock });
    const store = h.akari.store;
    expect(await store.getOutbox(batch!.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
    const pushes = platform.requests.filter((r) => r.path === '/v2/bot/message/push');
    expect(pushes.map((r) => r.status)).toEqual([200, 409]);
    expect(pushes.map((r) => r.headers['x-line-retry-key'])).toEqual([batch!.id, batch!.id]);
    expect(platform.deliveriesFor(USER)).toHaveLength(1);
    expect(platform.violations).toEqual([]);
    expect((await store.getInboxRow(`timer:${timer.id}`))?.status).toBe('done');

    // The push counts for today's cap: a second timer today waits for tomorrow.
    await addTimer(store, USER, jst('2026-12-01T15:00'));
    h.clock.set('2026-12-01T15:00');
    expect(await h.akari.scheduler.runDue()).toBe(0);
    expect((await store.pendingTimers(USER)).map((t) => t.dueAt)).toEqual([jst('2026-12-02T09:00')]);
  });

  it('a crash after a timer fired but before its turn ran: the restart handles it once', async () => {
    const clock = createFakeClock('2026-12-01T10:00');
    const apiBaseUrl = await startPlatform(clock);
    const url = tempDatabaseUrl();
    const gateway = createLineGateway({ channelAccessToken: TEST_TOKEN, apiBaseUrl });

    // The first process fires the timer and dies before its dispatcher gets to it.
    const store = createSqliteStore(url);
    const timer = await addTimer(store, USER, jst('2026-12-01T10:00'));
    const log = createLogger({ level: 'silent', pretty: false });
    const dead = createStoreScheduler({ store, clock, log, onFired: () => {}, autoRun: false });
    expect(await dead.runDue()).toBe(1);
    await store.close();

    for (let restart = 0; restart < 2; restart++) {
      const p = startStubProcess(url, gateway, clock);
      await p.sender.flushAll();
      await p.dispatcher.resumeAll();
      await p.scheduler.start();
      await p.dispatcher.idle();
      await p.sender.idle();
      expect(await p.scheduler.runDue()).toBe(0);
      await p.scheduler.stop();
      await p.store.close();
    }
    expect(platform.textsFor(USER)).toEqual([REMINDER]);
    const check = createSqliteStore(url);
    expect((await check.getInboxRow(`timer:${timer.id}`))?.status).toBe('done');
    await check.close();
  });

  it('restart with overdue timers: at start-up fresh ones fire into the pipeline, stale ones are dropped with a log line', async () => {
    const clock = createFakeClock('2026-12-01T10:00');
    await startPlatform(clock);
    const url = tempDatabaseUrl();
    const seed = createSqliteStore(url);
    const fresh = await addTimer(seed, 'Ufresh', jst('2026-11-30T18:00'));
    const stale = await addTimer(seed, 'Ustale', jst('2026-11-29T18:00'));
    const future = await addTimer(seed, 'Ufuture', jst('2026-12-01T18:00'));
    await seed.close();

    h = await startHarness({ databaseUrl: url, platform, clock });
    const store = h.akari.store;
    // Handled during start-up, before startAkari resolved.
    expect(await store.getInboxRow(`timer:${fresh.id}`)).toBeDefined();
    expect(await store.getInboxRow(`timer:${stale.id}`)).toBeUndefined();
    expect(await store.pendingTimers('Ustale')).toEqual([]);
    expect((await store.pendingTimers('Ufuture')).map((t) => t.id)).toEqual([future.id]);
    const records = h.logs.records();
    expect(records.filter((r) => r.msg === 'dropped stale timer')).toEqual([expect.objectContaining({ timerId: stale.id, reason: 'late' })]);
    expect(records.some((r) => r.msg === 'handled timers that fell due while Akari was down' && r.fired === 1 && r.dropped === 1)).toBe(true);
    await h.akari.idle();
    expect((await store.getInboxRow(`timer:${fresh.id}`))?.status).toBe('done');
  });

  it('takes the maximum lateness from the overrides', async () => {
    const clock = createFakeClock('2026-12-01T10:00');
    await startPlatform(clock);
    const url = tempDatabaseUrl();
    const seed = createSqliteStore(url);
    const t = await addTimer(seed, 'Ulate', jst('2026-11-30T18:00'));
    await seed.close();
    h = await startHarness({ databaseUrl: url, platform, clock, overrides: { maxLatenessMs: 12 * 60 * 60_000 } });
    expect(await h.akari.store.getInboxRow(`timer:${t.id}`)).toBeUndefined();
    expect(h.logs.records().some((r) => r.msg === 'dropped stale timer' && r.timerId === t.id)).toBe(true);
  });
});
