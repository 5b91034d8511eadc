/**
 * Akari as a real process (`node --import tsx src/main.ts`, what `npm start` runs): it refuses to start
 * without credentials in production, says clearly when it runs in local mode, and survives a real
 * crash (SIGKILL with sends in flight): a second process on the same database answers every
 * acknowledged event exactly once. The LINE platform runs here, in the test process, on loopback.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { startAkari, type Akari } from '../../src/main.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, signBody, textEvent } from '../../src/local/webhook-events.ts';
import type { Store, Turn } from '../../src/store/ports.ts';
import { createSqliteStore, sqlitePathFromUrl } from '../../src/store/sqlite-store.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { createLogCapture, tempDatabaseUrl, testEnv, TEST_SECRET, TEST_TOKEN, waitFor } from '../support/harness.ts';
import { spawnAkari, type AkariProcess } from '../support/akari-process.ts';

describe('starting the process', () => {
  // Slow (a process start each), so they run side by side with the crash test below.
  it.concurrent('exits 1 in production without credentials, naming the missing variables', async ({ expect }) => {
    const proc = spawnAkari({ NODE_ENV: 'production', PORT: '0', DATABASE_URL: tempDatabaseUrl() });
    try {
      const { code } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.stderr()).toContain('LINE_CHANNEL_SECRET');
      expect(proc.stderr()).toContain('LINE_CHANNEL_ACCESS_TOKEN');
    } finally {
      await proc.kill();
    }
  }, 60_000);

  it.concurrent('says in one clear line that it runs in local mode when there are no credentials', async ({ expect }) => {
    const proc = spawnAkari({ NODE_ENV: 'development', PORT: '0', DATABASE_URL: tempDatabaseUrl() });
    try {
      const line = await proc.waitForLog((r) => /local mode/i.test(String(r.msg)), 'the local mode line');
      expect(line.level).toBe(30);
      expect(String(line.msg)).toMatch(/LINE/);
      expect(typeof line.url).toBe('string');
      expect(proc.lines.filter((l) => /local mode/i.test(l))).toHaveLength(1);
      await proc.stop();
    } finally {
      await proc.kill();
    }
  }, 60_000);
});

describe('a crash and a restart on the same database', () => {
  const procs: AkariProcess[] = [];
  let platform: LinePlatform | undefined;
  afterAll(async () => {
    for (const p of procs.splice(0)) await p.kill();
    await platform?.close();
  });

  it.concurrent('answers every acknowledged event exactly once after a SIGKILL with sends in flight', async ({ expect }) => {
    platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validate: false });
    const lineUrl = await platform.listen(0, '127.0.0.1');
    const databaseUrl = tempDatabaseUrl();
    const vars = {
      ...testEnv(lineUrl, databaseUrl),
      LOG_LEVEL: 'info',
    };
    const serving = (r: Record<string, unknown>) => r.msg === 'Akari is serving LINE webhooks at /webhook';

    const first = spawnAkari(vars);
    procs.push(first);
    const firstUrl = String((await first.waitForLog(serving, 'the first process to serve')).url);

    // Slow sends, so that the crash finds some in flight.
    platform.setLatency(300);
    // The crash: SIGKILL at the moment LINE accepts a message, before the process hears back.
    let armed = false;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    };
    platform.onDelivery(() => {
      if (armed) kill();
    });

    const users = Array.from({ length: 12 }, (_, i) => `U${String(i).padStart(32, '0')}`);
    const events = users.flatMap((userId) =>
      ['こんにちは', 'よろしくお願いします'].map((text) => textEvent({ userId, text, timestamp: Date.now(), replyToken: platform!.issueReplyToken(userId) })),
    );
    const post = async (base: string, event: webhook.Event) => {
      const body = callbackBody([event]);
      try {
        const res = await fetch(`${base}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, TEST_SECRET) }, body });
        return res.status;
      } catch {
        return 0; // the process died before answering
      }
    };
    const statuses = await Promise.all(events.map((e) => post(firstUrl, e)));
    expect(statuses).toEqual(events.map(() => 200)); // all acknowledged: none may be lost now
    // One more user's first message, which is always answered: its answer (or any other still on
    // its way) is the delivery the crash happens on.
    armed = true;
    const lastUser = `U${'f'.repeat(32)}`;
    users.push(lastUser);
    const last = textEvent({ userId: lastUser, text: 'こんにちは', timestamp: Date.now(), replyToken: platform.issueReplyToken(lastUser) });
    events.push(last);
    // The crash may beat its acknowledgement: then LINE would deliver it again, to the next process.
    const lastAcknowledged = (await post(firstUrl, last)) === 200;
    await waitFor(() => killed, 'a delivery to crash on');
    expect((await first.exited).signal).toBe('SIGKILL');

    platform.setLatency(20);
    const second = spawnAkari(vars);
    procs.push(second);
    const secondUrl = String((await second.waitForLog(serving, 'the second process to serve')).url);
    if (!lastAcknowledged) expect(await post(secondUrl, { ...last, deliveryContext: { isRedelivery: true } } as webhook.Event)).toBe(200);

    // Done when nothing is pending in the store and LINE has no request in flight.
    const watcher = createSqliteStore(databaseUrl);
    try {
      await waitFor(
        async () =>
          (await watcher.usersWithPendingInbox()).length === 0 &&
          (await watcher.pendingOutbox()).length === 0 &&
          platform!.requests.every((r) => r.status !== null || r.networkError),
        'the second process to finish the work',
      );
    } finally {
      await watcher.close();
    }
    await second.stop();

    // Every acknowledged event was handled, and every batch it produced reached LINE exactly once.
    const db = new Database(sqlitePathFromUrl(databaseUrl), { readonly: true });
    let inbox: Array<{ event_id: string; status: string }>;
    let outbox: Array<{ id: string; user_id: string; reply_token: string | null; status: string }>;
    try {
      inbox = db.prepare('SELECT event_id, status FROM inbox').all() as typeof inbox;
      outbox = db.prepare('SELECT id, user_id, reply_token, status FROM outbox').all() as typeof outbox;
    } finally {
      db.close();
    }
    const statusOf = new Map(inbox.map((r) => [r.event_id, r.status]));
    expect(events.map((e) => statusOf.get(e.webhookEventId))).toEqual(events.map(() => 'done'));
    expect(outbox.filter((b) => b.status !== 'sent')).toEqual([]);

    const deliveries = platform.deliveries;
    for (const b of outbox) {
      const copies = deliveries.filter((d) => d.retryKey === b.id || (b.reply_token !== null && d.kind === 'reply' && d.replyToken === b.reply_token));
      expect(copies.map((d) => d.kind), `batch ${b.id} of ${b.user_id}`).toHaveLength(1);
    }
    expect(deliveries).toHaveLength(outbox.length);
    for (const userId of users) expect(platform.deliveriesFor(userId).length, userId).toBeGreaterThanOrEqual(1);

    // The batch LINE accepted at the moment of the crash was retried, and LINE said it already had it.
    const alreadyHad = platform.requests.filter(
      (r) => (r.path === '/v2/bot/message/reply' && r.status === 400) || (r.path === '/v2/bot/message/push' && r.status === 409),
    );
    expect(alreadyHad.length).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

describe('a restart after events were acknowledged but never handled', () => {
  it.concurrent('handles each of them once, in order, on the next start', async ({ expect }) => {
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validate: false });
    const lineUrl = await platform.listen(0, '127.0.0.1');
    const databaseUrl = tempDatabaseUrl();
    const akaris: Akari[] = [];
    const closeLater: Store[] = [];
    const config = loadConfig(testEnv(lineUrl, databaseUrl));
    try {
      // The first instance stores events but its turns never complete: it "dies" (is abandoned) mid-way.
      const firstLogs = createLogCapture();
      const first = await startAkari(config, {
        clock,
        logDestination: firstLogs.stream,
        wrapStore: (store): Store => {
          closeLater.push(store);
          return { ...store, commitTurn: (_turn: Turn) => new Promise<void>(() => undefined) };
        },
      });
      const users = ['U000000000000000000000000000000a1', 'U000000000000000000000000000000b2'];
      const events = users.flatMap((userId) =>
        ['こんにちは', 'ヘルプ'].map((text) => textEvent({ userId, text, timestamp: clock.now().getTime(), replyToken: platform.issueReplyToken(userId) })),
      );
      for (const e of events) {
        const body = callbackBody([e]);
        const res = await fetch(`${first.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, TEST_SECRET) }, body });
        expect(res.status).toBe(200);
      }
      first.server.closeAllConnections();
      await new Promise<void>((resolve) => first.server.close(() => resolve()));
      expect(platform.deliveries).toHaveLength(0);
      // A process that dies lets go of its database (and of the file lock that keeps a second one out).
      for (const store of closeLater) await store.close();

      const logs = createLogCapture();
      const second = await startAkari(config, { clock, logDestination: logs.stream });
      akaris.push(second);
      await second.idle();

      for (const e of events) expect((await second.store.getInboxRow(e.webhookEventId))?.status).toBe('done');
      const committed = logs.records().filter((r) => r.msg === 'turn committed').map((r) => r.webhookEventId);
      expect([...committed].sort()).toEqual(events.map((e) => e.webhookEventId).sort());
      for (const userId of users) {
        const mine = events.filter((e) => e.source?.userId === userId).map((e) => e.webhookEventId);
        expect(committed.filter((id) => mine.includes(String(id)))).toEqual(mine);
        expect(platform.deliveriesFor(userId).length).toBeGreaterThanOrEqual(1);
      }
      // Each answered with its own reply token, at most once.
      const tokens = platform.deliveries.filter((d) => d.kind === 'reply').map((d) => d.replyToken);
      expect(new Set(tokens).size).toBe(tokens.length);
      expect(logs.records().some((r) => r.msg === 'resuming events left pending')).toBe(true);
    } finally {
      for (const a of akaris) await a.stop();
      for (const store of closeLater) await store.close();
      await platform.close();
    }
  });
});
