/**
 * Failure drills against the real app (signed webhooks over HTTP, the SQLite store, the real LINE
 * client) and the local LINE platform told to fail: LINE down with 5xx, unreachable, slow, or
 * losing its answer after delivering. After each, per user: every answer Akari stored reached
 * LINE exactly once, and nothing was marked failed.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { createLinePlatform } from '../../src/local/line-platform.ts';
import { followEvent, textEvent } from '../../src/local/webhook-events.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { expectEveryAnswerOnce, lineUserId } from '../support/exactly-once.ts';
import { startHarness, tempDatabaseUrl, testValidator, TEST_TOKEN, waitFor, type Harness, type HarnessOptions } from '../support/harness.ts';

const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';
const MESSAGE_API = /^\/v2\/bot\/message\/(reply|push)$/;

const validator = testValidator();
beforeAll(() => {
  validator.validateRequest('PushMessageRequest', { to: lineUserId(1), messages: [{ type: 'text', text: 'x' }] });
});

const users = (n: number, from = 1) => Array.from({ length: n }, (_, i) => lineUserId(from + i));

describe('drills: LINE failing', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = (opts: HarnessOptions = {}) => {
    const clock = opts.clock ?? createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator, checkRecipients: true });
    return startHarness({ clock, platform, ...opts }).then((harness) => {
      const stop = harness.stop;
      harness.stop = async () => {
        await stop();
        await platform.close();
      };
      return harness;
    });
  };

  /** Each user sends these texts, one webhook each (in order per user, users side by side). */
  async function send(harness: Harness, who: string[], texts: string[]): Promise<webhook.Event[]> {
    const sent: webhook.Event[] = [];
    await Promise.all(
      who.map(async (userId) => {
        for (const text of texts) {
          const e = textEvent({ userId, text, timestamp: harness.clock.now().getTime(), replyToken: harness.platform.issueReplyToken(userId) });
          sent.push(e);
          expect((await harness.post([e])).status).toBe(200);
        }
      }),
    );
    return sent;
  }

  const errorsLogged = (harness: Harness) => harness.logs.records().filter((r) => Number(r.level) >= 50);

  it('LINE answers 500 for a while: every answer arrives once when it is back, replies aged out go by push', async () => {
    h = await start();
    const who = users(40);
    h.platform.failNext({ path: MESSAGE_API, status: 500, times: Infinity });
    await send(h, who, ['こんにちは', '3日前です']);
    const harness = h;
    await waitFor(() => harness.platform.requests.filter((r) => r.status === 500).length >= who.length * 4, 'four failed tries per user');
    // The outage outlasts the reply tokens: what is still unsent must go by push, with its retry key.
    h.clock.advance(60_000);
    await waitFor(() => harness.platform.requests.filter((r) => r.path === PUSH && r.status === 500).length >= who.length, 'pushes failing too');
    expect(errorsLogged(h)).toEqual([]);
    h.platform.clearFaults();
    await h.akari.idle();
    const counts = expectEveryAnswerOnce(h.platform, h.databaseUrl, who);
    for (const u of who) expect(counts[u]).toBeGreaterThanOrEqual(2);
    expect(h.platform.deliveries.some((d) => d.kind === 'push')).toBe(true);
    expect(errorsLogged(h)).toEqual([]);
  }, 60_000);

  it('LINE down across a restart: the next process sends what the first could not, once', async () => {
    const databaseUrl = tempDatabaseUrl();
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator, checkRecipients: true });
    await platform.listen(0, '127.0.0.1');
    try {
      const first = await startHarness({ clock, platform, databaseUrl });
      const who = users(5, 100);
      platform.failNext({ path: MESSAGE_API, status: 503, times: Infinity });
      await send(first, who, ['こんにちは']);
      await waitFor(() => platform.requests.filter((r) => r.status === 503).length >= who.length * 3, 'failed tries');
      await first.stop();
      expect(platform.deliveries).toEqual([]);
      platform.clearFaults();
      clock.advance(5 * 60_000);
      const second = await startHarness({ clock, platform, databaseUrl });
      await second.akari.idle();
      expectEveryAnswerOnce(platform, databaseUrl, who);
      expect(platform.deliveries.every((d) => d.kind === 'push')).toBe(true);
      await second.stop();
    } finally {
      await platform.close();
    }
  }, 60_000);

  it('LINE unreachable for a while: greetings that never reached it are sent once it is back (by push once tokens aged)', async () => {
    h = await start();
    const who = users(3, 200);
    await h.platform.goOffline();
    const harness = h;
    await Promise.all(
      who.map(async (userId) => {
        const e = followEvent({ userId, timestamp: harness.clock.now().getTime(), replyToken: harness.platform.issueReplyToken(userId) });
        expect((await harness.post([e])).status).toBe(200);
      }),
    );
    const refused = () => harness.logs.records().filter((r) => r.msg === 'reply failed; trying the same token again while it is fresh' && r.outcome === 'notSent');
    await waitFor(() => refused().length >= who.length * 3, 'replies refused at the connection');
    h.clock.advance(60_000);
    await waitFor(() => harness.logs.records().filter((r) => r.msg === 'push failed; retrying').length >= who.length, 'pushes refused too');
    await h.platform.goOnline();
    await h.akari.idle();
    expectEveryAnswerOnce(h.platform, h.databaseUrl, who);
    // Nothing had reached LINE, so the fallback push could not double anything: no "outcome unknown" warning.
    expect(h.logs.records().some((r) => String(r.msg).startsWith('a reply whose outcome is unknown'))).toBe(false);
    expect(errorsLogged(h)).toEqual([]);
  }, 60_000);

  it('a reply slower than the client waits: the same token is tried again, and each answer arrives once', async () => {
    h = await start({ overrides: { lineTimeoutMs: 250 } });
    const who = users(20, 300);
    // Each user's first reply takes 1 s at LINE (the client gives up after 250 ms).
    h.platform.failNext({ path: REPLY, slow: true, delayMs: 1_000, times: who.length });
    await send(h, who, ['こんにちは']);
    await h.akari.idle();
    const harness = h;
    // The slow first tries finish at LINE after the retries: they find their token used.
    await waitFor(() => harness.platform.requests.filter((r) => r.path === REPLY && r.status !== null).length >= who.length * 2, 'the slow tries to end');
    expectEveryAnswerOnce(h.platform, h.databaseUrl, who);
    expect(h.platform.requests.filter((r) => r.path === PUSH)).toEqual([]);
    expect(h.logs.records().filter((r) => r.kind === 'timeout').length).toBeGreaterThanOrEqual(who.length);
  }, 60_000);

  it('a reply LINE delivered but whose answer was lost: the retry finds the token used, and nothing is pushed', async () => {
    h = await start();
    const who = users(10, 400);
    h.platform.failNext({ path: REPLY, networkError: true, afterHandling: true, times: who.length });
    await send(h, who, ['こんにちは']);
    await h.akari.idle();
    expectEveryAnswerOnce(h.platform, h.databaseUrl, who);
    expect(h.platform.requests.filter((r) => r.path === PUSH)).toEqual([]);
    const settled = h.logs.records().filter((r) => r.msg === 'reply token already used by an earlier attempt whose answer was lost; counted as sent');
    // A retry may meet one of the faults too (then the next one settles it): one line per answer that was dropped.
    const dropped = new Set(h.platform.requests.filter((r) => r.path === REPLY && r.networkError).map((r) => (r.body as { replyToken: string }).replyToken));
    expect(dropped.size).toBeGreaterThan(0);
    expect(new Set(settled.map((r) => r.batchId)).size).toBe(dropped.size);
  }, 60_000);

  it('the window left (README): a reply delivered, its answer lost, and LINE unreachable until the token aged, goes again by push', async () => {
    h = await start();
    const [user] = users(1, 500) as [string];
    h.platform.failNext({ path: REPLY, networkError: true, afterHandling: true });
    // Every later reply try meets a dead connection too, until the token has aged.
    h.platform.failNext({ path: REPLY, networkError: true, times: Infinity });
    const harness = h;
    const e = textEvent({ userId: user, text: 'こんにちは', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(user) });
    expect((await h.post([e])).status).toBe(200);
    await waitFor(() => harness.platform.requests.filter((r) => r.path === REPLY).length >= 3, 'reply retries');
    h.clock.advance(60_000);
    await h.akari.idle();
    const deliveries = h.platform.deliveriesFor(user);
    expect(deliveries.map((d) => d.kind)).toEqual(['reply', 'push']);
    expect(deliveries[1]!.messages).toEqual(deliveries[0]!.messages);
    expect(h.logs.records().filter((r) => r.level === 40 && String(r.msg).startsWith('a reply whose outcome is unknown'))).toHaveLength(1);
  }, 60_000);
});
