/**
 * The gateway contract, run against both implementations (the SDK's MessagingApiClient and the lean
 * undici one) and the local LINE platform: what reaches LINE, and how each of LINE's answers is
 * mapped to a result or a LineApiError the sender can act on.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLineGateway, LineApiError, type LineGateway } from '../../src/line/gateway.ts';
import { createUndiciLineGateway } from '../../src/line/undici-gateway.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { testValidator } from '../support/harness.ts';

const TOKEN = 'test-channel-access-token';
const USER = `U${'2'.repeat(32)}`;

type Make = (apiBaseUrl: string, options?: { token?: string; timeoutMs?: number }) => LineGateway & { close?: () => Promise<void> };

const IMPLEMENTATIONS: ReadonlyArray<readonly [string, Make]> = [
  ['SDK gateway', (apiBaseUrl, o = {}) => createLineGateway({ apiBaseUrl, channelAccessToken: o.token ?? TOKEN, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) })],
  ['undici gateway', (apiBaseUrl, o = {}) => createUndiciLineGateway({ apiBaseUrl, channelAccessToken: o.token ?? TOKEN, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) })],
];

const text = (value: string) => ({ type: 'text', text: value });

async function failureOf(call: Promise<unknown>): Promise<LineApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LineApiError);
  return error as LineApiError;
}

describe.each(IMPLEMENTATIONS)('%s', (_name, make) => {
  let platform: LinePlatform;
  let url: string;
  const open: Array<{ close?: () => Promise<void> }> = [];
  const gateway = (options?: Parameters<Make>[1]) => {
    const g = make(url, options);
    open.push(g);
    return g;
  };

  beforeEach(async () => {
    platform = createLinePlatform({ channelAccessToken: TOKEN, validator: testValidator() });
    url = await platform.listen(0, '127.0.0.1');
  });
  afterEach(async () => {
    for (const g of open.splice(0)) await g.close?.();
    await platform.close();
  });

  it('replies with the token and the messages, authorised', async () => {
    const replyToken = platform.issueReplyToken(USER);
    await gateway().reply(replyToken, [text('こんにちは'), text('二通目')]);
    expect(platform.textsFor(USER)).toEqual(['こんにちは', '二通目']);
    const [request] = platform.requests;
    expect(request?.path).toBe('/v2/bot/message/reply');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(platform.violations).toEqual([]);
  });

  it('pushes with X-Line-Retry-Key, and a repeat of the key is "already sent", delivered once', async () => {
    const g = gateway();
    const key = randomUUID();
    expect(await g.push(USER, [text('お知らせ')], key)).toBe('sent');
    expect(await g.push(USER, [text('お知らせ')], key)).toBe('alreadySent');
    expect(platform.deliveriesFor(USER).map((d) => d.retryKey)).toEqual([key]);
    expect(platform.requests.map((r) => r.headers['x-line-retry-key'])).toEqual([key, key]);
  });

  it('keeps no path of the base URL, as the SDK does', async () => {
    const g = make(`${url}/some/prefix`);
    open.push(g);
    await g.push(USER, [text('届きます')], randomUUID());
    expect(platform.textsFor(USER)).toEqual(['届きます']);
  });

  it('maps a used or unknown reply token to invalidReplyToken, with status and request id', async () => {
    const g = gateway();
    const replyToken = platform.issueReplyToken(USER);
    await g.reply(replyToken, [text('一回目')]);
    const error = await failureOf(g.reply(replyToken, [text('二回目')]));
    expect(error.kind).toBe('invalidReplyToken');
    expect(error.retryable).toBe(false);
    expect(error.details.status).toBe(400);
    expect(error.details.requestId).toBe(platform.requests.at(-1)?.requestId);
  });

  it('maps 429 to rateLimited with Retry-After, and 5xx to server: both retryable', async () => {
    const g = gateway();
    platform.failNext({ path: '/v2/bot/message/push', status: 429, headers: { 'retry-after': '3' } });
    const limited = await failureOf(g.push(USER, [text('a')], randomUUID()));
    expect(limited.kind).toBe('rateLimited');
    expect(limited.details.retryAfterMs).toBe(3000);
    expect(limited.retryable).toBe(true);

    platform.failNext({ path: '/v2/bot/message/reply', status: 503, body: { message: 'down for maintenance' } });
    const down = await failureOf(g.reply(platform.issueReplyToken(USER), [text('b')]));
    expect(down.kind).toBe('server');
    expect(down.details.status).toBe(503);
    expect(down.details.body).toContain('down for maintenance');
    expect(down.message).toContain('down for maintenance');
    expect(down.retryable).toBe(true);
  });

  it('maps a wrong access token to unauthorized and a bad message to rejected, with LINE\'s details', async () => {
    const wrong = await failureOf(gateway({ token: 'not-the-token' }).push(USER, [text('a')], randomUUID()));
    expect(wrong.kind).toBe('unauthorized');
    expect(wrong.details.status).toBe(401);

    const bad = await failureOf(gateway().push(USER, [{ type: 'text', text: '' }], randomUUID()));
    expect(bad.kind).toBe('rejected');
    expect(bad.details.status).toBe(400);
    expect(bad.retryable).toBe(false);
    expect(platform.deliveriesFor(USER)).toEqual([]);
  });

  it('maps a dropped connection to network, and a slow answer to timeout', async () => {
    platform.failNext({ path: '/v2/bot/message/push', networkError: true });
    const dropped = await failureOf(gateway().push(USER, [text('a')], randomUUID()));
    expect(dropped.kind).toBe('network');
    expect(dropped.retryable).toBe(true);
    // The request was sent: LINE may have taken it.
    expect(dropped.outcome).toBe('unknown');

    platform.setLatency(1_000);
    const slow = await failureOf(gateway({ timeoutMs: 100 }).push(USER, [text('b')], randomUUID()));
    expect(slow.kind).toBe('timeout');
    expect(slow.retryable).toBe(true);
    expect(slow.outcome).toBe('unknown');
  });

  it("tells the outcome of a failure: LINE's error answer and a refused connection delivered nothing", async () => {
    // First, before any connection to this platform is kept alive (a kept connection LINE closes
    // under a request is a lost answer, not a refusal).
    await platform.goOffline();
    const refused = await failureOf(gateway().reply(platform.issueReplyToken(USER), [text('b')]));
    expect(refused.kind).toBe('network');
    expect(refused.outcome).toBe('notSent');
    await platform.goOnline();
    platform.failNext({ path: '/v2/bot/message/push', status: 500 });
    expect((await failureOf(gateway().push(USER, [text('a')], randomUUID()))).outcome).toBe('notSent');
    platform.failNext({ path: '/v2/bot/message/push', status: 429, body: { message: 'You have reached your monthly limit.' } });
    const quota = await failureOf(gateway().push(USER, [text('a')], randomUUID()));
    expect(quota.kind).toBe('quotaExceeded');
    expect(quota.retryable).toBe(false);
  });

  it('maps an unreachable LINE to network', async () => {
    const closed = url;
    await platform.close();
    const g = make(closed);
    open.push(g);
    const error = await failureOf(g.push(USER, [text('a')], randomUUID()));
    expect(error.kind).toBe('network');
    // The afterEach closes the platform again; a fresh one keeps that harmless.
    platform = createLinePlatform({ channelAccessToken: TOKEN, validator: testValidator() });
  });
});
