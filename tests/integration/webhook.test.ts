import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callbackBody, signBody, textEvent } from '../../src/local/webhook-events.ts';
import { startHarness, TEST_SECRET, type Harness } from '../support/harness.ts';

const USER = 'U0123456789abcdef0123456789abcdef';

describe('POST /webhook', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const event = (text = 'こんにちは') =>
    textEvent({ userId: USER, text, timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });

  it('rejects a request without a signature with 401 JSON and stores nothing', async () => {
    const e = event();
    const res = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').send(callbackBody([e]));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_signature');
    expect(await h.akari.store.getInboxRow(e.webhookEventId)).toBeUndefined();
  });

  it('rejects a wrong signature with 401 and stores nothing', async () => {
    const e = event();
    const body = callbackBody([e]);
    const res = await request(h.akari.url)
      .post('/webhook')
      .set('content-type', 'application/json')
      .set('x-line-signature', signBody(body, 'some-other-secret'))
      .send(body);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_signature' });
    expect(await h.akari.store.getInboxRow(e.webhookEventId)).toBeUndefined();
  });

  it('rejects a body changed after signing', async () => {
    const e = event();
    const body = callbackBody([e]);
    const signature = signBody(body, TEST_SECRET);
    const res = await request(h.akari.url)
      .post('/webhook')
      .set('content-type', 'application/json')
      .set('x-line-signature', signature)
      .send(body.replace('こんにちは', 'こんばんは'));
    expect(res.status).toBe(401);
  });

  it('answers 400 to malformed JSON that is correctly signed', async () => {
    const body = '{"events": [';
    const res = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, TEST_SECRET)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_json');
  });

  it('answers 413 to a body over 1 MB', async () => {
    const body = callbackBody([event('あ'.repeat(400_000))]);
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    const res = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, TEST_SECRET)).send(body);
    expect(res.status).toBe(413);
  });

  it('answers 200 to the console connectivity check (empty events)', async () => {
    const body = callbackBody([]);
    const res = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, TEST_SECRET)).send(body);
    expect(res.status).toBe(200);
    expect(await h.akari.store.usersWithPendingInbox()).toEqual([]);
  });

  it('stores a signed event before answering 200, and answers it', async () => {
    const e = event();
    const res = await h.post([e]);
    expect(res.status).toBe(200);
    // Durable at the moment of the 200, whatever processing does next.
    expect(await h.akari.store.getInboxRow(e.webhookEventId)).toBeDefined();
    await h.akari.idle();
    expect(h.platform.deliveriesFor(USER)).toHaveLength(1);
    expect(h.platform.deliveriesFor(USER)[0]!.kind).toBe('reply');
  });

  it('acknowledges a redelivered event without processing it twice', async () => {
    const e = event();
    expect((await h.post([e])).status).toBe(200);
    await h.akari.idle();
    const again = { ...e, deliveryContext: { isRedelivery: true } };
    expect((await h.post([again])).status).toBe(200);
    expect((await h.post([e])).status).toBe(200);
    await h.akari.idle();
    expect(h.platform.deliveriesFor(USER)).toHaveLength(1);
    expect(h.logs.records().some((r) => r.msg === 'event already known; acknowledged again' && r.redelivery === true)).toBe(true);
  });

  it('stays healthy and ready', async () => {
    expect((await request(h.akari.url).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(h.akari.url).get('/readyz')).status).toBe(200);
  });
});

describe('a JSON parser placed before /webhook by mistake', () => {
  it('is detected: the request fails loudly instead of every signature silently failing', async () => {
    const h = await startHarness({ overrides: { beforeMiddleware: [express.json()] } });
    try {
      const e = textEvent({ userId: USER, text: 'テスト', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });
      const res = await h.post([e]);
      expect(res.status).toBe(500);
      expect(res.body.error).toBe('server_misconfigured');
      expect(h.logs.text()).toContain('parsed before the signature check');
      expect(await h.akari.store.getInboxRow(e.webhookEventId)).toBeUndefined();
    } finally {
      await h.stop();
    }
  });
});
