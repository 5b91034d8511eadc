/**
 * Sending through the real gateway (@line/bot-sdk over HTTP) to the local LINE platform, with the
 * platform told to fail: reply-token fallback, 429, 5xx and network errors, retry keys and limits.
 * Counts and kinds of deliveries only: what Akari says is the conversation machine's business.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, type RecordedRequest } from '../../src/local/line-platform.ts';
import { textEvent } from '../../src/local/webhook-events.ts';
import type { Store } from '../../src/store/ports.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { startHarness, testValidator, waitFor, type Harness, type HarnessOptions } from '../support/harness.ts';

const USER = 'U00000000000000000000000000005e4d';
const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEND_ATTEMPTS = 4; // the harness's send retry policy
const INVALID_REPLY_TOKEN = { path: REPLY, status: 400, body: { message: 'Invalid reply token' } };

const validator = testValidator();
beforeAll(() => {
  // Compile the OpenAPI schemas once, up front.
  validator.validateRequest('PushMessageRequest', { to: USER, messages: [{ type: 'text', text: 'x' }] });
});

const start = (opts: HarnessOptions = {}): Promise<Harness> => startHarness(opts);

const pushesWithKey = (requests: readonly RecordedRequest[], key: string) =>
  requests.filter((r) => r.path === PUSH && r.headers['x-line-retry-key'] === key);

describe('sending', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** The user's first message (which always gets an answer); resolves once Akari is idle. */
  async function firstMessage(harness: Harness) {
    const e = textEvent({ userId: USER, text: 'こんにちは', timestamp: harness.clock.now().getTime(), replyToken: harness.platform.issueReplyToken(USER) });
    expect((await harness.post([e])).status).toBe(200);
    await harness.akari.idle();
    return e;
  }

  /** Every delivery is a push whose retry key is one of the user's sent batches, each delivered once. */
  async function expectOnePushPerBatch(harness: Harness, deliveries: Delivery[]) {
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    for (const d of deliveries) {
      expect(d.kind).toBe('push');
      expect(d.retryKey).toMatch(UUID);
      expect(await harness.akari.store.getOutbox(d.retryKey!)).toMatchObject({ userId: USER, status: 'sent', sentVia: 'push' });
    }
    expect(new Set(deliveries.map((d) => d.retryKey)).size).toBe(deliveries.length);
  }

  it('answers by reply while the token is fresh', async () => {
    h = await start();
    const e = await firstMessage(h);
    const deliveries = h.platform.deliveriesFor(USER);
    expect(deliveries[0]).toMatchObject({ kind: 'reply', replyToken: e.replyToken });
    expect(deliveries.filter((d) => d.kind === 'reply')).toHaveLength(1);
  });

  it('sends a batch left pending by a store failure on the next sweep, without the user writing again', async () => {
    let failures = 1;
    const failOnce = (store: Store): Store => ({
      ...store,
      async markReplyAttempted(id) {
        if (failures-- > 0) throw new Error('injected: the store is briefly unavailable');
        return store.markReplyAttempted(id);
      },
    });
    h = await start({ overrides: { wrapStore: failOnce, outboxSweepMs: 20 } });
    const e = textEvent({ userId: USER, text: 'こんにちは', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });
    expect((await h.post([e])).status).toBe(200);
    await h.akari.idle();
    const harness = h;
    await expect.poll(() => harness.platform.deliveriesFor(USER).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    await h.akari.idle();
    const deliveries = h.platform.deliveriesFor(USER);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: 'reply', replyToken: e.replyToken });
    expect(h.logs.records().some((r) => r.msg === 'could not send a batch')).toBe(true);
  });

  it("falls back to a push keyed by the batch id when LINE answers 'Invalid reply token'", async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    await firstMessage(h);
    const replies = h.platform.requests.filter((r) => r.path === REPLY);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.status).toBe(400);
    await expectOnePushPerBatch(h, h.platform.deliveriesFor(USER));
  });

  it('pushes instead of replying when the event waited longer than REPLY_TOKEN_MAX_AGE_SECONDS', async () => {
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    let delayed = false;
    h = await start({
      clock,
      env: { REPLY_TOKEN_MAX_AGE_SECONDS: '50' },
      overrides: {
        // The dispatcher picks the event up 51 s after the webhook arrived (a busy or restarted server).
        wrapStore: (store): Store => ({
          ...store,
          async nextInboxRow(userId) {
            const row = await store.nextInboxRow(userId);
            if (row && !delayed) {
              delayed = true;
              clock.advance(51_000);
            }
            return row;
          },
        }),
      },
    });
    await firstMessage(h);
    expect(delayed).toBe(true);
    expect(h.platform.requests.filter((r) => r.path === REPLY)).toEqual([]);
    await expectOnePushPerBatch(h, h.platform.deliveriesFor(USER));
  });

  it('backs off after a 429, as long as retry-after asks, then delivers exactly once', async () => {
    const sleeps: number[] = [];
    h = await start({ overrides: { sleep: async (ms) => void sleeps.push(ms) } });
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, status: 429, headers: { 'retry-after': '7' } });
    await firstMessage(h);

    const deliveries = h.platform.deliveriesFor(USER);
    await expectOnePushPerBatch(h, deliveries);
    const key = deliveries[0]!.retryKey!;
    expect(pushesWithKey(h.platform.requests, key).map((r) => r.status)).toEqual([429, 200]);
    expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(7_000);
  });

  it('retries 5xx with the same retry key and delivers exactly once', async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, status: 503, times: 2 });
    await firstMessage(h);
    const deliveries = h.platform.deliveriesFor(USER);
    await expectOnePushPerBatch(h, deliveries);
    expect(pushesWithKey(h.platform.requests, deliveries[0]!.retryKey!).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('retries a network error and delivers exactly once', async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, networkError: true });
    await firstMessage(h);
    const deliveries = h.platform.deliveriesFor(USER);
    await expectOnePushPerBatch(h, deliveries);
    const attempts = pushesWithKey(h.platform.requests, deliveries[0]!.retryKey!);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.networkError).toBe(true);
  });

  it('takes 409 on a retry as "already sent" when LINE got the push but the answer was lost', async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, networkError: true, afterHandling: true });
    await firstMessage(h);
    const deliveries = h.platform.deliveriesFor(USER);
    await expectOnePushPerBatch(h, deliveries);
    expect(pushesWithKey(h.platform.requests, deliveries[0]!.retryKey!).map((r) => r.status)).toEqual([null, 409]);
    expect(h.logs.records().filter((r) => Number(r.level) >= 50)).toEqual([]);
  });

  it('keeps retrying 5xx while LINE is down, nothing marked failed, and delivers once when it is back', async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, status: 500, times: Infinity });
    const e = textEvent({ userId: USER, text: 'こんにちは', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });
    expect((await h.post([e])).status).toBe(200);
    const harness = h;
    await waitFor(() => harness.platform.requests.filter((r) => r.path === PUSH).length >= SEND_ATTEMPTS * 3, 'a dozen failed pushes');
    const key = h.platform.requests.find((r) => r.path === PUSH)!.headers['x-line-retry-key']!;
    expect((await h.akari.store.getOutbox(key))?.status).toBe('pending');
    expect(h.logs.records().filter((r) => Number(r.level) >= 50)).toEqual([]);
    h.platform.clearFaults();
    await h.akari.idle();
    await expectOnePushPerBatch(h, h.platform.deliveriesFor(USER));
  });

  it('gives up on a batch LINE still fails once it is older than SEND_RETRY_HOURS: failed, one error line with x-line-request-id', async () => {
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    // Every wait between tries is a minute of the fake clock: six of them pass the limit.
    h = await start({ clock, env: { SEND_RETRY_HOURS: '0.1' }, overrides: { sleep: async () => void clock.advance(60_000) } });
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, status: 500, times: Infinity });
    await firstMessage(h);

    expect(h.platform.deliveriesFor(USER)).toEqual([]);
    const pushes = h.platform.requests.filter((r) => r.path === PUSH);
    const firstKey = pushes[0]!.headers['x-line-retry-key']!;
    const attempts = pushesWithKey(pushes, firstKey);
    expect(attempts.length).toBeGreaterThanOrEqual(6);
    expect((await h.akari.store.getOutbox(firstKey))?.status).toBe('failed');
    const givingUp = h.logs.records().filter((r) => r.level === 50 && r.batchId === firstKey);
    expect(givingUp).toHaveLength(1);
    expect(givingUp[0]).toMatchObject({ status: 500, requestId: attempts.at(-1)!.requestId });
  });

  it('does not retry a push LINE refuses (400): failed at once, one error line with the status, request id and body', async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, status: 400, body: { message: 'The request body has 1 error(s)', details: [{ message: 'invalid', property: 'messages[0].text' }] } });
    await firstMessage(h);
    const pushes = h.platform.requests.filter((r) => r.path === PUSH);
    const firstKey = pushes[0]!.headers['x-line-retry-key']!;
    expect(pushesWithKey(pushes, firstKey)).toHaveLength(1);
    expect((await h.akari.store.getOutbox(firstKey))?.status).toBe('failed');
    const errors = h.logs.records().filter((r) => r.level === 50 && r.batchId === firstKey);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 400, requestId: pushes[0]!.requestId });
    expect(String(errors[0]!.body)).toContain('messages[0].text');
  });

  it("does not retry LINE's monthly-limit 429 (it is no rate limit)", async () => {
    h = await start();
    h.platform.failNext(INVALID_REPLY_TOKEN);
    h.platform.failNext({ path: PUSH, status: 429, body: { message: 'You have reached your monthly limit.' } });
    await firstMessage(h);
    const pushes = h.platform.requests.filter((r) => r.path === PUSH);
    expect(pushes).toHaveLength(1);
    expect((await h.akari.store.getOutbox(pushes[0]!.headers['x-line-retry-key']!))?.status).toBe('failed');
    expect(h.logs.records().filter((r) => r.level === 50 && r.status === 429 && r.kind === 'quotaExceeded')).toHaveLength(1);
  });
});
