/**
 * What Akari logs: never a credential (even when LINE calls fail and error objects carry headers),
 * users' words only at debug, and the webhookEventId on every line about an event.
 */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { loadConfig } from '../../src/config/load-config.ts';
import { startAkari } from '../../src/main.ts';
import { createLinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, followEvent, postbackEvent, signBody, textEvent, unfollowEvent } from '../../src/local/webhook-events.ts';
import type { Store, Turn } from '../../src/store/ports.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { createLogCapture, startHarness, testValidator, tempDatabaseUrl, TEST_SECRET, TEST_TOKEN, type Harness, type HarnessOptions } from '../support/harness.ts';

const USER = 'U000000000000000000000000000010a9';
const OTHER = 'U000000000000000000000000000020a9';
const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';
const DISTINCTIVE = '面接官の名前は綿貫ミスズさんで電話番号は末尾4649でした';

const validator = testValidator();

const start = (opts: HarnessOptions = {}): Promise<Harness> => startHarness(opts);

/** Makes the turn of one chosen event fail every time (it ends up parked). */
function failingTurnFor(getEventId: () => string) {
  return (store: Store): Store => ({
    ...store,
    async commitTurn(turn: Turn) {
      const row = await store.getInboxRow(getEventId());
      if (row && turn.inboxSeq === row.seq) throw new Error('injected: the turn cannot be saved');
      await store.commitTurn(turn);
    },
  });
}

/**
 * A full flow that gives every log path something to say: follow, text, postback, a redelivery, bad
 * webhooks, LINE refusing the token (401), an invalid reply token, pushes failing with 5xx and a
 * network error, an event that fails until parked, and an unfollow. Returns the signatures it sent.
 */
async function driveEverything(h: Harness, failing: { eventId: string }): Promise<string[]> {
  const now = () => h.clock.now().getTime();
  const token = (u = USER) => h.platform.issueReplyToken(u);
  const signatures: string[] = [];
  const post = async (events: webhook.Event[]) => {
    const body = callbackBody(events);
    const signature = signBody(body, TEST_SECRET);
    signatures.push(signature);
    const res = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signature).send(body);
    expect(res.status).toBe(200);
    await h.akari.idle();
  };

  await post([followEvent({ userId: USER, timestamp: now(), replyToken: token() })]);
  const told = textEvent({ userId: USER, text: DISTINCTIVE, timestamp: now(), replyToken: token() });
  await post([told]);
  await post([{ ...told, deliveryContext: { isRedelivery: true } } as webhook.Event]);
  await post([postbackEvent({ userId: USER, data: 'action=help', timestamp: now(), replyToken: token() })]);

  // LINE refuses the access token.
  h.platform.failNext({ path: REPLY, status: 401 });
  await post([textEvent({ userId: USER, text: `${DISTINCTIVE}（2）`, timestamp: now(), replyToken: token() })]);
  // The reply token is refused, and every push fails: 5xx, then a dropped connection, then 5xx.
  h.platform.failNext({ path: REPLY, status: 400, body: { message: 'Invalid reply token' } });
  h.platform.failNext({ path: PUSH, status: 503, times: 1 });
  h.platform.failNext({ path: PUSH, networkError: true, times: 1 });
  h.platform.failNext({ path: PUSH, status: 500, times: 3 });
  // …and then LINE refuses the push for good: that is logged as an error, with what LINE said.
  h.platform.failNext({ path: PUSH, status: 400, body: { message: 'The request body has 1 error(s)' } });
  await post([textEvent({ userId: OTHER, text: `${DISTINCTIVE}（3）`, timestamp: now(), replyToken: token(OTHER) })]);

  // An event whose turn can never be saved.
  const doomed = textEvent({ userId: USER, text: `${DISTINCTIVE}（4）`, timestamp: now(), replyToken: token() });
  failing.eventId = doomed.webhookEventId;
  await post([doomed]);

  // Webhooks LINE would never send: a wrong signature and broken JSON.
  const body = callbackBody([textEvent({ userId: USER, text: DISTINCTIVE, timestamp: now() })]);
  const bad = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, 'wrong-secret')).send(body);
  expect(bad.status).toBe(401);
  const broken = '{"events": [';
  signatures.push(signBody(broken, TEST_SECRET));
  const malformed = await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(broken, TEST_SECRET)).send(broken);
  expect(malformed.status).toBe(400);

  await post([unfollowEvent({ userId: USER, timestamp: now() })]);
  return signatures;
}

describe('logging', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('never logs the channel secret, the access token, an Authorization header or a signature', async () => {
    const failing = { eventId: '' };
    h = await start({ overrides: { wrapStore: failingTurnFor(() => failing.eventId) } });
    const signatures = await driveEverything(h, failing);

    // The flow did hit the failure paths (else this test would prove little).
    const records = h.logs.records();
    expect(records.some((r) => r.level === 50 && r.status === 401)).toBe(true);
    expect(records.some((r) => r.level === 50 && r.status === 400 && typeof r.requestId === 'string')).toBe(true);
    expect(records.some((r) => r.level === 40 && r.status === 500 && typeof r.requestId === 'string')).toBe(true);
    expect(records.some((r) => r.level === 50 && r.webhookEventId === failing.eventId)).toBe(true);
    // The platform really was sent the token: it is there to leak.
    expect(h.platform.requests.some((r) => r.headers.authorization === `Bearer ${TEST_TOKEN}`)).toBe(true);

    for (const line of h.logs.lines) {
      expect(line).not.toContain(TEST_SECRET);
      expect(line).not.toContain(TEST_TOKEN);
      expect(line).not.toMatch(/bearer/i);
      for (const signature of signatures) expect(line).not.toContain(signature);
    }
  });

  it("never logs local mode's generated secret and token either", async () => {
    const logs = createLogCapture();
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'debug', DATABASE_URL: tempDatabaseUrl() });
    expect(config.mode).toBe('local');
    // The platform checks no token here (local mode makes one up); it records what the bot sends.
    const platform = createLinePlatform({ now: () => clock.now().getTime(), validator });
    const akari = await startAkari(config, { clock, logDestination: logs.stream, platform });
    try {
      const body = callbackBody([textEvent({ userId: USER, text: 'こんにちは', timestamp: clock.now().getTime(), replyToken: akari.platform!.issueReplyToken(USER) })]);
      const res = await request(akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, akari.channelSecret)).send(body);
      expect(res.status).toBe(200);
      await akari.idle();
      const authorization = akari.platform!.requests.find((r) => r.path === REPLY)?.headers.authorization;
      expect(authorization).toMatch(/^Bearer \S+$/);
      const token = authorization!.slice('Bearer '.length);
      expect(logs.lines.length).toBeGreaterThan(0);
      for (const line of logs.lines) {
        expect(line).not.toContain(akari.channelSecret);
        expect(line).not.toContain(token);
      }
    } finally {
      await akari.stop();
      await platform.close();
    }
  });

  it("keeps users' words out of the logs above debug, failures included", async () => {
    const failing = { eventId: '' };
    h = await start({ env: { LOG_LEVEL: 'info' }, overrides: { wrapStore: failingTurnFor(() => failing.eventId) } });
    await driveEverything(h, failing);
    expect(h.logs.lines.length).toBeGreaterThan(0);
    for (const line of h.logs.lines) expect(line).not.toContain(DISTINCTIVE);
  });

  it("does log users' words at debug (so the check above is not vacuous)", async () => {
    h = await start({ env: { LOG_LEVEL: 'debug' } });
    await h.say(USER, DISTINCTIVE);
    const carrying = h.logs.records().filter((r) => JSON.stringify(r).includes(DISTINCTIVE));
    expect(carrying.length).toBeGreaterThan(0);
    for (const r of carrying) expect(r.level).toBeLessThanOrEqual(20);
  });

  it('puts the webhookEventId on every line about an event', async () => {
    const failing = { eventId: '' };
    h = await start({ overrides: { wrapStore: failingTurnFor(() => failing.eventId) } });
    await driveEverything(h, failing);
    const records = h.logs.records();

    // Lines about many events at once (counts), which no single id fits.
    const aggregate = new Set(['resuming events left pending', 'duplicates ignored']);
    const eventModules = new Set(['webhook', 'dispatcher', 'runtime']);
    const aboutEvents = records.filter((r) => eventModules.has(String(r.module)) && !aggregate.has(String(r.msg)));
    expect(aboutEvents.length).toBeGreaterThan(10);
    const missing = aboutEvents.filter((r) => typeof r.webhookEventId !== 'string' || r.webhookEventId === '');
    expect(missing).toEqual([]);

    // Every line that names a user's event by its user has it too.
    const userLines = records.filter((r) => typeof r.userId === 'string' && eventModules.has(String(r.module)));
    for (const r of userLines) expect(r.webhookEventId).toBeTypeOf('string');

    // Sending is per batch: every line about one names the event the batch answers.
    const batchLines = records.filter((r) => r.module === 'outbox' && typeof r.batchId === 'string');
    expect(batchLines.length).toBeGreaterThan(3);
    expect(batchLines.filter((r) => typeof r.webhookEventId !== 'string' || r.webhookEventId === '')).toEqual([]);

    // And the failing event can be followed from acceptance to parking by its id alone.
    const trail = records.filter((r) => r.webhookEventId === failing.eventId).map((r) => r.level);
    expect(trail).toContain(30); // accepted
    expect(trail).toContain(40); // retried
    expect(trail).toContain(50); // parked
  });
});
