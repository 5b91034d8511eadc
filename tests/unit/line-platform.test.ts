import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { createLinePlatform, readImageInfo } from '../../src/local/line-platform.ts';
import type { Delivery, LinePlatform } from '../../src/local/line-platform.ts';
import { checkMessageLimits, checkRichMenuLimits } from '../../src/local/line-limits.ts';
import { createLineSchemaValidator } from '../../src/local/openapi-validator.ts';

const TOKEN = 'test-channel-access-token';
const USER = `U${'1'.repeat(32)}`;
const validator = createLineSchemaValidator();

let clock: number;
let platform: LinePlatform;
let baseURL: string;
let client: messagingApi.MessagingApiClient;
let blobClient: messagingApi.MessagingApiBlobClient;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  platform = createLinePlatform({ now: () => clock, channelAccessToken: TOKEN, validator });
  baseURL = await platform.listen();
  client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL });
  blobClient = new messagingApi.MessagingApiBlobClient({ channelAccessToken: TOKEN, baseURL });
});

afterEach(async () => {
  await platform.close();
});

/** The HTTPFetchError a call rejects with (fails the test if it resolves or throws something else). */
async function fetchError(call: Promise<unknown>): Promise<HTTPFetchError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HTTPFetchError);
  return error as HTTPFetchError;
}

function text(value: string): messagingApi.TextMessage {
  return { type: 'text', text: value };
}

/** Signature + IHDR: all the platform reads of a PNG. */
function pngHeader(width: number, height: number): Buffer {
  const buffer = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(buffer, 0);
  buffer.writeUInt32BE(13, 8);
  buffer.write('IHDR', 12, 'latin1');
  buffer.writeUInt32BE(width, 16);
  buffer.writeUInt32BE(height, 20);
  buffer.writeUInt8(8, 24);
  buffer.writeUInt8(2, 25);
  return buffer;
}

function imageBlob(bytes: Buffer, type: string): Blob {
  return new Blob([new Uint8Array(bytes)], { type });
}

const richMenu: messagingApi.RichMenuRequest = {
  size: { width: 2500, height: 843 },
  selected: true,
  name: 'akari-main',
  chatBarText: 'メニュー',
  areas: [
    { bounds: { x: 0, y: 0, width: 1250, height: 843 }, action: { type: 'postback', label: '相談する', data: 'menu=start' } },
    { bounds: { x: 1250, y: 0, width: 1250, height: 843 }, action: { type: 'richmenuswitch', richMenuAliasId: 'more', data: 'menu=more' } },
  ],
};

describe('reply', () => {
  it('accepts a reply token once, then answers 400 Invalid reply token', async () => {
    const replyToken = platform.issueReplyToken(USER);
    const response = await client.replyMessage({ replyToken, messages: [text('こんにちは')] });
    expect(response.sentMessages).toHaveLength(1);
    expect(response.sentMessages[0]?.id).toMatch(/^\d+$/);
    expect(platform.deliveries).toMatchObject([{ kind: 'reply', userId: USER, messages: [text('こんにちは')], at: clock }]);

    const error = await fetchError(client.replyMessage({ replyToken, messages: [text('again')] }));
    expect(error.status).toBe(400);
    expect(JSON.parse(error.body)).toEqual({ message: 'Invalid reply token' });
    expect(error.headers.get('x-line-request-id')).toBeTruthy();
    expect(platform.deliveries).toHaveLength(1);
    expect(platform.violations.at(-1)?.reasons[0]).toMatch(/already used/);
  });

  it('rejects a token older than the TTL (fake clock)', async () => {
    const replyToken = platform.issueReplyToken(USER);
    clock += 60_001;
    const error = await fetchError(client.replyMessage({ replyToken, messages: [text('late')] }));
    expect(error.status).toBe(400);
    expect(JSON.parse(error.body).message).toBe('Invalid reply token');
    expect(platform.violations.at(-1)?.reasons[0]).toMatch(/expire/);

    const fresh = platform.issueReplyToken(USER);
    clock += 59_000;
    await expect(client.replyMessage({ replyToken: fresh, messages: [text('in time')] })).resolves.toBeTruthy();
  });

  it('rejects tokens it never issued and does not burn a token on an invalid body', async () => {
    expect((await fetchError(client.replyMessage({ replyToken: 'made-up', messages: [text('x')] }))).status).toBe(400);

    const replyToken = platform.issueReplyToken(USER);
    const invalid = await fetchError(client.replyMessage({ replyToken, messages: [{ type: 'text' } as messagingApi.TextMessage] }));
    expect(JSON.parse(invalid.body)).toEqual({
      message: 'The request body has 1 error(s)',
      details: [{ message: 'is required', property: 'messages[0].text' }],
    });
    await expect(client.replyMessage({ replyToken, messages: [text('fixed')] })).resolves.toBeTruthy();
  });
});

describe('push', () => {
  it('answers 409 to a retry key it already accepted and delivers once', async () => {
    const retryKey = randomUUID();
    const first = await client.pushMessageWithHttpInfo({ to: USER, messages: [text('明日の予定です')] }, retryKey);
    expect(first.httpResponse.status).toBe(200);
    const firstRequestId = first.httpResponse.headers.get('x-line-request-id');

    const error = await fetchError(client.pushMessage({ to: USER, messages: [text('明日の予定です')] }, retryKey));
    expect(error.status).toBe(409);
    expect(error.headers.get('x-line-accepted-request-id')).toBe(firstRequestId);
    expect(JSON.parse(error.body)).toEqual({
      message: 'The retry key is already accepted',
      sentMessages: first.body.sentMessages,
    });
    expect(platform.deliveries).toHaveLength(1);
    expect(platform.deliveries[0]).toMatchObject({ kind: 'push', userId: USER, retryKey });
    expect(platform.violations).toEqual([]); // a 409 is the protocol working, not the bot's mistake
    expect(platform.requests.map((r) => r.headers['x-line-retry-key'])).toEqual([retryKey, retryKey]);
  });

  it('forgets retry keys after 24 hours', async () => {
    const retryKey = randomUUID();
    await client.pushMessage({ to: USER, messages: [text('1')] }, retryKey);
    clock += 24 * 60 * 60 * 1000 + 1;
    await client.pushMessage({ to: USER, messages: [text('2')] }, retryKey);
    expect(platform.textsFor(USER)).toEqual(['1', '2']);
  });

  it('rejects a retry key that is not a UUID', async () => {
    const error = await fetchError(client.pushMessage({ to: USER, messages: [text('x')] }, 'not-a-uuid'));
    expect(error.status).toBe(400);
  });

  it('rejects 6 messages with a readable reason', async () => {
    const messages = Array.from({ length: 6 }, (_, i) => text(`message ${i + 1}`));
    const error = await fetchError(client.pushMessage({ to: USER, messages }));
    expect(error.status).toBe(400);
    const body = JSON.parse(error.body) as { message: string; details: Array<{ message: string; property: string }> };
    expect(body.details).toEqual([{ property: 'messages', message: '6 messages in one request; LINE allows at most 5' }]);
    expect(platform.violations).toMatchObject([
      { status: 400, path: '/v2/bot/message/push', reasons: ['messages: 6 messages in one request; LINE allows at most 5'] },
    ]);
    expect(platform.deliveries).toEqual([]);
  });

  it('rejects an action label of 21 characters and counts an emoji as one character', async () => {
    const quickReply = (label: string): messagingApi.QuickReply => ({
      items: [{ type: 'action', action: { type: 'message', label, text: 'ok' } }],
    });
    const error = await fetchError(
      client.pushMessage({ to: USER, messages: [{ ...text('choose'), quickReply: quickReply('あ'.repeat(21)) }] }),
    );
    expect(error.status).toBe(400);
    expect(JSON.parse(error.body).details).toEqual([
      {
        property: 'messages[0].quickReply.items[0].action.label',
        message: `"${'あ'.repeat(21)}" is 21 characters; LINE allows at most 20`,
      },
    ]);

    // 19 characters + 👍 = 20 characters (21 UTF-16 code units): allowed.
    await client.pushMessage({ to: USER, messages: [{ ...text('choose'), quickReply: quickReply(`${'a'.repeat(19)}👍`) }] });
    expect(platform.deliveries).toHaveLength(1);
  });

  it('rejects a text over 5000 UTF-16 code units', async () => {
    const error = await fetchError(client.pushMessage({ to: USER, messages: [text('😀'.repeat(2501))] }));
    expect(JSON.parse(error.body).details[0]).toMatchObject({ property: 'messages[0].text' });
    await client.pushMessage({ to: USER, messages: [text('😀'.repeat(2500))] });
  });

  it('validate/push and validate/reply check without delivering', async () => {
    await expect(client.validatePush({ messages: [text('ok')] })).resolves.toEqual({});
    await expect(client.validateReply({ messages: [text('ok')] })).resolves.toEqual({});
    expect((await fetchError(client.validatePush({ messages: [] }))).status).toBe(400);
    expect(platform.deliveries).toEqual([]);
  });
});

describe('fault injection', () => {
  it('fails the next matching request with 429, then succeeds', async () => {
    platform.failNext({ path: '/v2/bot/message/push', status: 429 });
    const error = await fetchError(client.pushMessage({ to: USER, messages: [text('1')] }));
    expect(error.status).toBe(429);
    expect(JSON.parse(error.body).message).toMatch(/rate limit/);

    await client.pushMessage({ to: USER, messages: [text('1')] });
    expect(platform.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(platform.requests[0]?.injected).toBe(true);
    expect(platform.deliveries).toHaveLength(1);
    expect(platform.violations).toEqual([]);
  });

  it('honours times, method and RegExp paths, custom bodies and headers', async () => {
    platform.failNext({ path: /\/message\//, method: 'POST', status: 503, times: 2, body: { message: 'down' }, headers: { 'retry-after': '1' } });
    const first = await fetchError(client.pushMessage({ to: USER, messages: [text('1')] }));
    expect(first.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(first.body)).toEqual({ message: 'down' });
    await fetchError(client.replyMessage({ replyToken: platform.issueReplyToken(USER), messages: [text('2')] }));
    await client.getProfile(USER); // not matched by the path
    await client.pushMessage({ to: USER, messages: [text('3')] });
    expect(platform.requests.map((r) => r.status)).toEqual([503, 503, 200, 200]);
  });

  it('drops the connection for a network error', async () => {
    platform.failNext({ networkError: true });
    const error = await client.pushMessage({ to: USER, messages: [text('1')] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError); // fetch failed: no HTTP answer at all
    expect(error).not.toBeInstanceOf(HTTPFetchError);
    expect(platform.requests[0]).toMatchObject({ status: null, networkError: true });
    expect(platform.deliveries).toEqual([]);

    await client.pushMessage({ to: USER, messages: [text('1')] });
    expect(platform.deliveries).toHaveLength(1);
  });

  it('can lose the answer after delivering, so a retry with the same key gets 409', async () => {
    const retryKey = randomUUID();
    platform.failNext({ path: '/v2/bot/message/push', networkError: true, afterHandling: true });
    await expect(client.pushMessage({ to: USER, messages: [text('once')] }, retryKey)).rejects.toThrow();
    expect(platform.deliveries).toHaveLength(1);

    const error = await fetchError(client.pushMessage({ to: USER, messages: [text('once')] }, retryKey));
    expect(error.status).toBe(409);
    expect(platform.textsFor(USER)).toEqual(['once']);
  });

  it('adds latency to every request', async () => {
    platform.setLatency(60);
    const started = performance.now();
    await client.getProfile(USER);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });
});

describe('the rest of the API', () => {
  it('answers 401 without the right channel access token', async () => {
    const stranger = new messagingApi.MessagingApiClient({ channelAccessToken: 'wrong', baseURL });
    const error = await fetchError(stranger.pushMessage({ to: USER, messages: [text('x')] }));
    expect(error.status).toBe(401);
    expect(platform.violations[0]?.reasons).toEqual(['the Authorization header carries a different channel access token']);
  });

  it('skips schema and limit checks with validate: false', async () => {
    const lenient = createLinePlatform({ validate: false });
    const url = await lenient.listen();
    try {
      const lenientClient = new messagingApi.MessagingApiClient({ channelAccessToken: 'anything', baseURL: url });
      const messages = Array.from({ length: 6 }, (_, i) => text(`${i}`));
      await lenientClient.pushMessage({ to: USER, messages });
      expect(lenient.deliveries[0]?.messages).toHaveLength(6);
    } finally {
      await lenient.close();
    }
  });

  it('answers unknown paths with a JSON 404 carrying x-line-request-id', async () => {
    const response = await fetch(`${baseURL}/v2/bot/nothing-here`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-line-request-id')).toBeTruthy();
    expect(await response.json()).toEqual({ message: 'Not found' });
  });

  it('serves profiles of registered users and a default for others', async () => {
    platform.registerUser({ userId: USER, displayName: '山田花子' });
    await expect(client.getProfile(USER)).resolves.toEqual({ userId: USER, displayName: '山田花子', language: 'ja' });
    await expect(client.getProfile('Uother')).resolves.toMatchObject({ userId: 'Uother', language: 'ja' });
  });

  it('records requests with lower-case headers and parsed bodies', async () => {
    await client.pushMessage({ to: USER, messages: [text('hi')] });
    expect(platform.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/bot/message/push',
      status: 200,
      body: { to: USER, messages: [text('hi')] },
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
  });

  it('tells subscribers about deliveries and violations until they unsubscribe', async () => {
    const seen: Delivery[] = [];
    const reasons: string[][] = [];
    const stop = platform.onDelivery((d) => seen.push(d));
    platform.onViolation((v) => reasons.push(v.reasons));
    await client.pushMessage({ to: USER, messages: [text('1')] });
    await fetchError(client.pushMessage({ to: USER, messages: [] }));
    stop();
    await client.pushMessage({ to: USER, messages: [text('2')] });
    expect(seen.map((d) => d.messages)).toEqual([[text('1')]]);
    expect(reasons).toHaveLength(1);
  });

  it('flattens texts and flex altText per user, and reset() forgets everything', async () => {
    await client.pushMessage({
      to: USER,
      messages: [
        text('one'),
        { type: 'flex', altText: 'a card', contents: { type: 'bubble', body: { type: 'box', layout: 'vertical', contents: [] } } },
        { type: 'sticker', packageId: '446', stickerId: '1988' },
      ],
    });
    await client.pushMessage({ to: 'Usomeone-else', messages: [text('not yours')] });
    expect(platform.textsFor(USER)).toEqual(['one', 'a card']);
    expect(platform.deliveriesFor('Usomeone-else')).toHaveLength(1);

    platform.reset();
    expect([platform.requests.length, platform.deliveries.length, platform.violations.length]).toEqual([0, 0, 0]);
  });

  it('can be mounted inside another express app without touching its other routes', async () => {
    const outer = express();
    let webhookBody: Buffer | undefined;
    outer.post('/webhook', express.raw({ type: '*/*' }), (req, res) => {
      webhookBody = req.body as Buffer;
      res.sendStatus(200);
    });
    outer.use(platform.router);
    const server = outer.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const outerURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const outerClient = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: outerURL });
      await outerClient.pushMessage({ to: USER, messages: [text('via mount')] });
      const hook = await fetch(`${outerURL}/webhook`, { method: 'POST', body: '{"events":[]}', headers: { 'content-type': 'application/json' } });
      expect(hook.status).toBe(200);
      expect(webhookBody?.toString()).toBe('{"events":[]}');
      expect(platform.textsFor(USER)).toEqual(['via mount']);
      expect(platform.requests.map((r) => r.path)).toEqual(['/v2/bot/message/push']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('rich menus', () => {
  it('creates a menu, takes its image, makes it the default, links it and aliases it', async () => {
    await expect(client.validateRichMenuObject(richMenu)).resolves.toEqual({});
    const { richMenuId } = await client.createRichMenu(richMenu);
    expect(richMenuId).toMatch(/^richmenu-[0-9a-f]{32}$/);

    // No image yet: LINE refuses to apply it.
    expect((await fetchError(client.setDefaultRichMenu(richMenuId))).status).toBe(400);
    expect((await fetchError(blobClient.setRichMenuImage(richMenuId, imageBlob(pngHeader(2500, 1686), 'image/png')))).status).toBe(400);
    expect((await fetchError(blobClient.setRichMenuImage(richMenuId, imageBlob(Buffer.from('GIF89a'), 'image/png')))).status).toBe(400);
    expect((await fetchError(blobClient.setRichMenuImage(richMenuId, imageBlob(pngHeader(2500, 843), 'image/gif')))).status).toBe(400);
    const tooBig = Buffer.concat([pngHeader(2500, 843), Buffer.alloc(1024 * 1024)]);
    expect((await fetchError(blobClient.setRichMenuImage(richMenuId, imageBlob(tooBig, 'image/png')))).status).toBe(413);

    await blobClient.setRichMenuImage(richMenuId, imageBlob(pngHeader(2500, 843), 'image/png'));
    const image = await blobClient.getRichMenuImage(richMenuId);
    const chunks: Buffer[] = [];
    for await (const chunk of image) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(pngHeader(2500, 843));

    await client.setDefaultRichMenu(richMenuId);
    await expect(client.getDefaultRichMenuId()).resolves.toEqual({ richMenuId });
    expect(platform.richMenuFor(USER)?.richMenuId).toBe(richMenuId);

    const { richMenuId: other } = await client.createRichMenu({ ...richMenu, name: 'more' });
    await blobClient.setRichMenuImage(other, imageBlob(pngHeader(2500, 843), 'image/png'));
    await client.linkRichMenuIdToUser(USER, other);
    await expect(client.getRichMenuIdOfUser(USER)).resolves.toEqual({ richMenuId: other });
    expect(platform.richMenuFor(USER)?.richMenuId).toBe(other);
    await client.unlinkRichMenuIdFromUser(USER);
    expect((await fetchError(client.getRichMenuIdOfUser(USER))).status).toBe(404);

    await client.createRichMenuAlias({ richMenuAliasId: 'more', richMenuId: other });
    expect((await fetchError(client.createRichMenuAlias({ richMenuAliasId: 'more', richMenuId: other }))).status).toBe(400);
    await client.updateRichMenuAlias('more', { richMenuId });
    await expect(client.getRichMenuAlias('more')).resolves.toEqual({ richMenuAliasId: 'more', richMenuId });
    await expect(client.getRichMenuAliasList()).resolves.toEqual({ aliases: [{ richMenuAliasId: 'more', richMenuId }] });
    expect(platform.resolveRichMenuAlias('more')).toBe(richMenuId);

    await expect(client.getRichMenu(richMenuId)).resolves.toMatchObject({ richMenuId, name: 'akari-main' });
    expect((await client.getRichMenuList()).richmenus).toHaveLength(2);

    await client.deleteRichMenuAlias('more');
    await client.cancelDefaultRichMenu();
    expect((await fetchError(client.getDefaultRichMenuId())).status).toBe(404);
    await client.deleteRichMenu(other);
    expect((await fetchError(client.getRichMenu(other))).status).toBe(404);
  });

  it('rejects menus outside LINE limits', async () => {
    const error = await fetchError(
      client.createRichMenu({ ...richMenu, size: { width: 2500, height: 1000 }, chatBarText: '十五文字のチャットバーテキストです' }),
    );
    expect(error.status).toBe(400);
    const properties = (JSON.parse(error.body) as { details: Array<{ property: string }> }).details.map((d) => d.property);
    expect(properties).toEqual(expect.arrayContaining(['size', 'chatBarText']));
  });
});

describe('checkMessageLimits and checkRichMenuLimits', () => {
  it('walks flex carousels, buttons and quick replies', () => {
    const bubble = (label: string) => ({
      type: 'bubble',
      footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', action: { type: 'postback', label, data: 'x'.repeat(301) } }] },
    });
    const problems = checkMessageLimits([
      { type: 'flex', altText: 'a'.repeat(1501), contents: { type: 'carousel', contents: Array.from({ length: 13 }, () => bubble('ok')) } },
      {
        type: 'text',
        text: '',
        quickReply: { items: Array.from({ length: 14 }, () => ({ type: 'action', action: { type: 'postback', label: 'ok', data: 'd', displayText: 'y'.repeat(301) } })) },
      },
    ]);
    expect(problems).toContain('messages[0].altText: "aaaaaaaaaaaaaaaaaaaaa..." is 1501 UTF-16 code units; LINE allows at most 1500');
    expect(problems).toContain('messages[0].contents.contents: 13 bubbles in a carousel; LINE allows at most 12');
    expect(problems).toContain('messages[0].contents.contents[12].footer.contents[0].action.data: "xxxxxxxxxxxxxxxxxxxxx..." is 301 characters; LINE allows at most 300');
    expect(problems).toContain('messages[1].text: must not be empty');
    expect(problems).toContain('messages[1].quickReply.items: 14 quick reply items; LINE allows at most 13');
    expect(problems).toContain('messages[1].quickReply.items[13].action.displayText: "yyyyyyyyyyyyyyyyyyyyy..." is 301 characters; LINE allows at most 300');
    expect(checkMessageLimits([{ type: 'text', text: 'fine' }])).toEqual([]);
  });

  it('checks rich menu size, chat bar text, areas and their actions', () => {
    expect(checkRichMenuLimits(richMenu)).toEqual([]);
    const problems = checkRichMenuLimits({
      ...richMenu,
      size: { width: 2500, height: 843 },
      chatBarText: 'x'.repeat(15),
      areas: Array.from({ length: 21 }, (_, i) => ({
        bounds: { x: i === 0 ? 2000 : 0, y: 0, width: 1000, height: 843 },
        action: { type: 'postback', label: 'l'.repeat(21), data: 'd' },
      })),
    });
    expect(problems).toContain('areas: 21 areas; LINE allows at most 20');
    expect(problems).toContain('chatBarText: "xxxxxxxxxxxxxxx" is 15 characters; LINE allows at most 14');
    expect(problems).toContain('areas[0].bounds: area 2000,0 1000×843 reaches outside the 2500×843 menu');
    expect(problems).toContain('areas[0].action.label: "lllllllllllllllllllll" is 21 characters; LINE allows at most 20');
  });

  it('reads PNG and JPEG sizes', () => {
    expect(readImageInfo(pngHeader(2500, 843))).toEqual({ type: 'image/png', width: 2500, height: 843 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x06, 0x96, 0x09, 0xc4, 0x03]);
    expect(readImageInfo(jpeg)).toEqual({ type: 'image/jpeg', width: 2500, height: 1686 });
    expect(readImageInfo(Buffer.from('GIF89a'))).toBeUndefined();
  });
});
