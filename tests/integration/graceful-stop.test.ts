/**
 * The graceful stop. A real process under load gets SIGTERM right after LINE had 200s for 99 events:
 * it answers every one of them (by reply, while the tokens are fresh) before it exits 0. A second
 * signal ends it at once. In-process: a webhook in flight when the stop begins is answered, not cut,
 * and its event is handled; a drain that can't finish stops at DRAIN_TIMEOUT_SECONDS.
 */
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { createApp } from '../../src/http/create-app.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, signBody, textEvent } from '../../src/local/webhook-events.ts';
import type { Store } from '../../src/store/ports.ts';
import { sqlitePathFromUrl } from '../../src/store/sqlite-store.ts';
import { spawnAkari, type AkariProcess } from '../support/akari-process.ts';
import { createLogCapture, startHarness, tempDatabaseUrl, TEST_SECRET, TEST_TOKEN, waitFor, testEnv } from '../support/harness.ts';

const serving = (r: Record<string, unknown>) => r.msg === 'Akari is serving LINE webhooks at /webhook';

async function postEvent(base: string, event: webhook.Event): Promise<number> {
  const body = callbackBody([event]);
  try {
    const res = await fetch(`${base}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, TEST_SECRET) }, body });
    return res.status;
  } catch {
    return 0;
  }
}

function channelVars(lineUrl: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...testEnv(lineUrl, databaseUrl),
    LOG_LEVEL: 'info',
    RICH_MENU_PER_STAGE: 'false',
    ...extra,
  };
}

describe('SIGTERM on a real process under load', () => {
  const procs: AkariProcess[] = [];
  const platforms: LinePlatform[] = [];
  afterAll(async () => {
    for (const p of procs.splice(0)) await p.kill();
    for (const p of platforms.splice(0)) await p.close();
  });

  it.concurrent('answers every event acknowledged just before the signal, then exits 0', async () => {
    const platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validate: false });
    platforms.push(platform);
    const lineUrl = await platform.listen(0, '127.0.0.1');
    const databaseUrl = tempDatabaseUrl();
    // A generous drain timeout: this test is about finishing the work, not about how fast.
    const proc = spawnAkari(channelVars(lineUrl, databaseUrl, { DRAIN_TIMEOUT_SECONDS: '120' }));
    procs.push(proc);
    const url = String((await proc.waitForLog(serving, 'the process to serve')).url);
    // LINE answers slowly, so that most of the work is still ahead when the signal comes.
    platform.setLatency(40);

    const users = Array.from({ length: 33 }, (_, i) => `U${String(i).padStart(32, '0')}`);
    const events = users.flatMap((userId) =>
      ['こんにちは', '面接のあと電話に出られませんでした', 'よろしくお願いします'].map((text) =>
        textEvent({ userId, text, timestamp: Date.now(), replyToken: platform.issueReplyToken(userId) }),
      ),
    );
    expect(events).toHaveLength(99);
    const statuses = await Promise.all(events.map((e) => postEvent(url, e)));
    expect(statuses).toEqual(events.map(() => 200));
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit, proc.stderr()).toEqual({ code: 0, signal: null });
    expect(proc.records().some((r) => r.msg === 'drained')).toBe(true);

    const db = new Database(sqlitePathFromUrl(databaseUrl), { readonly: true });
    let inbox: Array<{ event_id: string; status: string }>;
    let outbox: Array<{ id: string; event_id: string; status: string; sent_via: string | null }>;
    try {
      inbox = db.prepare('SELECT event_id, status FROM inbox').all() as typeof inbox;
      outbox = db.prepare('SELECT id, event_id, status, sent_via FROM outbox').all() as typeof outbox;
    } finally {
      db.close();
    }
    const statusOf = new Map(inbox.map((r) => [r.event_id, r.status]));
    expect(events.map((e) => statusOf.get(e.webhookEventId))).toEqual(events.map(() => 'done'));
    // Every event was answered, each answer went out by reply (its token still fresh), exactly once.
    const answered = new Set(outbox.map((b) => b.event_id));
    expect(events.filter((e) => !answered.has(e.webhookEventId)).map((e) => e.webhookEventId)).toEqual([]);
    expect(outbox.filter((b) => b.status !== 'sent')).toEqual([]);
    const firstBatches = outbox.filter((b) => b.sent_via === 'reply');
    expect(firstBatches.length).toBeGreaterThanOrEqual(99);
    expect(platform.deliveries).toHaveLength(outbox.length);
  }, 120_000);

  it.concurrent('exits at once on a second signal, leaving what is left stored', async () => {
    const platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validate: false });
    platforms.push(platform);
    const lineUrl = await platform.listen(0, '127.0.0.1');
    const proc = spawnAkari(channelVars(lineUrl, tempDatabaseUrl(), { DRAIN_TIMEOUT_SECONDS: '600' }));
    procs.push(proc);
    const url = String((await proc.waitForLog(serving, 'the process to serve')).url);
    // The reply hangs: the drain would wait for it (up to the timeout).
    platform.failNext({ path: '/v2/bot/message/reply', status: 500, delayMs: 600_000 });
    const userId = `U${'a'.repeat(32)}`;
    expect(await postEvent(url, textEvent({ userId, text: 'こんにちは', timestamp: Date.now(), replyToken: platform.issueReplyToken(userId) }))).toBe(200);
    await waitFor(() => platform.requests.some((r) => r.path === '/v2/bot/message/reply' && r.status === null), 'the reply to be in flight');
    proc.child.kill('SIGTERM');
    await proc.waitForLog((r) => String(r.msg).startsWith('draining'), 'the drain to begin');
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit).toEqual({ code: 143, signal: null });
    expect(proc.records().some((r) => r.msg === 'second signal: exiting at once')).toBe(true);
    expect(proc.records().some((r) => r.msg === 'drained')).toBe(false);
  }, 120_000);
});

describe('the stop, in process', () => {
  it('lets a webhook in flight finish, and answers its event before closing', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    const h = await startHarness({
      overrides: {
        wrapStore: (store: Store): Store =>
          Object.assign(Object.create(store) as Store, {
            acceptEvents: async (events: Parameters<Store['acceptEvents']>[0]) => {
              holding = true;
              await held;
              return store.acceptEvents(events);
            },
          }),
      },
    });
    const userId = `U${'b'.repeat(32)}`;
    const response = h.post([textEvent({ userId, text: 'こんにちは', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(userId) })]);
    const answered = response.then((r) => r.status, () => 0);
    await waitFor(() => holding, 'the webhook to be in flight');
    const stopped = h.akari.stop();
    expect(h.akari.isDraining()).toBe(true);
    release();
    expect(await answered).toBe(200);
    await stopped;
    expect(h.platform.deliveriesFor(userId).length).toBeGreaterThanOrEqual(1);
    expect(h.logs.records().some((r) => r.msg === 'drained')).toBe(true);
    await h.platform.close();
  });

  it('stops at the drain timeout when a reply never comes back', async () => {
    const h = await startHarness({ env: { DRAIN_TIMEOUT_SECONDS: '1' } });
    h.platform.failNext({ path: '/v2/bot/message/reply', status: 500, delayMs: 60_000 });
    const userId = `U${'c'.repeat(32)}`;
    const res = await h.post([textEvent({ userId, text: 'こんにちは', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(userId) })]);
    expect(res.status).toBe(200);
    await waitFor(() => h.platform.requests.some((r) => r.path === '/v2/bot/message/reply' && r.status === null), 'the reply to be in flight');
    await h.akari.stop();
    const timedOut = h.logs.records().find((r) => r.msg === 'drain timed out; what is left is stored and resumes at the next start');
    expect(timedOut).toMatchObject({ pendingBatches: 1 });
    // The stop did not wait for the hung request after all (the LINE client's own timeout, 10 s).
    expect(h.logs.records().filter((r) => r.kind === 'timeout')).toEqual([]);
    await h.platform.close();
  });

  it('/readyz answers 503 while draining', async () => {
    let draining = false;
    const app = createApp({ channelSecret: TEST_SECRET, log: createLogger({ level: 'silent', pretty: false, destination: createLogCapture().stream }), acceptEvents: async () => undefined, checkReady: async () => undefined, isDraining: () => draining });
    expect((await request(app).get('/readyz')).status).toBe(200);
    draining = true;
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('draining');
  });
});
