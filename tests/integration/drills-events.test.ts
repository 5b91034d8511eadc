/**
 * Drills on what LINE sends: malformed events next to good ones, events Akari can't read, bodies
 * it can't take, groups and rooms, events from no chat, and a message the user unsends. Through
 * the real app (signed webhooks over HTTP, the SQLite store) and the local LINE platform.
 */
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { createLinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, newEventId, signBody, textEvent } from '../../src/local/webhook-events.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { expectEveryAnswerOnce, lineUserId } from '../support/exactly-once.ts';
import { startHarness, testValidator, TEST_SECRET, TEST_TOKEN, type Harness } from '../support/harness.ts';

const validator = testValidator();
beforeAll(() => {
  validator.validateRequest('PushMessageRequest', { to: lineUserId(1), messages: [{ type: 'text', text: 'x' }] });
});

const GROUP = `C${'a1'.repeat(16)}`;
const ROOM = `R${'b2'.repeat(16)}`;

describe('drills: what LINE sends', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function start(): Promise<Harness> {
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator, checkRecipients: true });
    const harness = await startHarness({ clock, platform });
    const stop = harness.stop;
    harness.stop = async () => {
      await stop();
      await platform.close();
    };
    return harness;
  }

  /** POSTs a signed body as it is (a string), with extra headers. */
  const postRaw = (harness: Harness, body: string | Buffer, headers: Record<string, string> = {}) => {
    let r = request(harness.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body as string, TEST_SECRET));
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    return r.send(body);
  };

  const now = (harness: Harness) => harness.clock.now().getTime();
  const good = (harness: Harness, userId: string, text = 'こんにちは') => textEvent({ userId, text, timestamp: now(harness), replyToken: harness.platform.issueReplyToken(userId) });
  const warned = (harness: Harness, msg: string) => harness.logs.records().filter((r) => r.level === 40 && r.msg === msg);

  it('a malformed event next to a good one: 200, the good one stored and answered, the bad one logged and not stored, on every redelivery', async () => {
    h = await start();
    const user = lineUserId(1);
    const ok = good(h, user);
    const bad = { ...good(h, lineUserId(2)), source: { type: 'user', userId: { not: 'a string' } } } as unknown as webhook.Event;
    const body = callbackBody([bad, ok]);
    expect((await postRaw(h, body)).status).toBe(200);
    await h.akari.idle();
    expect((await h.akari.store.getInboxRow(ok.webhookEventId))?.status).toBe('done');
    expect(await h.akari.store.getInboxRow(bad.webhookEventId)).toBeUndefined();
    expectEveryAnswerOnce(h.platform, h.databaseUrl, [user]);
    const lines = warned(h, 'malformed event; acknowledged and dropped (its neighbours are kept)');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ webhookEventId: bad.webhookEventId, type: 'message', index: 0 });
    expect(String(lines[0]!.problems)).toContain('source.userId');
    // LINE redelivers the same body: still 200, nothing answered twice.
    expect((await postRaw(h, body)).status).toBe(200);
    await h.akari.idle();
    expectEveryAnswerOnce(h.platform, h.databaseUrl, [user]);
  });

  it('events Akari cannot read (no message, a text that is no string, a bad timestamp) are dropped at once, never parked', async () => {
    h = await start();
    const user = lineUserId(3);
    const base = good(h, user);
    const { message: _m, ...noMessage } = { ...base, webhookEventId: newEventId(now(h)) };
    const events = [
      noMessage,
      { ...base, webhookEventId: newEventId(now(h)), message: { type: 'text', id: '1', text: 42 } },
      { ...base, webhookEventId: newEventId(now(h)), timestamp: 'yesterday' },
      { ...base, webhookEventId: newEventId(now(h)), postback: undefined, type: 'postback' },
    ] as unknown as webhook.Event[];
    expect((await postRaw(h, callbackBody(events))).status).toBe(200);
    await h.akari.idle();
    for (const e of events) expect(await h.akari.store.getInboxRow(e.webhookEventId)).toBeUndefined();
    expect(warned(h, 'malformed event; acknowledged and dropped (its neighbours are kept)')).toHaveLength(events.length);
    expect(h.logs.records().filter((r) => Number(r.level) >= 50)).toEqual([]);
    expect(h.platform.deliveries).toEqual([]);
  });

  it('a body with content-encoding gets 415; one nested 100 000 deep is dropped without harm, its neighbour kept', async () => {
    h = await start();
    const user = lineUserId(4);
    const plain = callbackBody([good(h, user)]);
    expect((await postRaw(h, plain, { 'content-encoding': 'gzip' })).status).toBe(415);
    expect((await postRaw(h, gzipSync(plain), { 'content-encoding': 'gzip' })).status).toBe(415);

    const ok = good(h, user);
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const nested = { ...good(h, lineUserId(5)), message: { type: 'text', id: '9', text: 'x', extra: '@DEEP@' } };
    const body = JSON.stringify({ destination: 'Uakaribot000000000000000000000000', events: [nested, ok] }).replace('"@DEEP@"', deep);
    expect((await postRaw(h, body)).status).toBe(200);
    await h.akari.idle();
    expect(await h.akari.store.getInboxRow(nested.webhookEventId)).toBeUndefined();
    expect((await h.akari.store.getInboxRow(ok.webhookEventId))?.status).toBe('done');
    expectEveryAnswerOnce(h.platform, h.databaseUrl, [user]);
    expect((await request(h.akari.url).get('/healthz')).status).toBe(200);
  });

  it('groups and rooms: one notice on join, to the real id; no counselling there, even when a reply fails', async () => {
    h = await start();
    const member = lineUserId(6);
    const inGroup = (type: string, extra: Record<string, unknown> = {}) =>
      ({
        type,
        timestamp: now(h!),
        mode: 'active',
        webhookEventId: newEventId(now(h!)),
        deliveryContext: { isRedelivery: false },
        source: { type: 'group', groupId: GROUP, userId: member },
        ...extra,
      }) as unknown as webhook.Event;
    // The join reply fails: the notice goes by push, to the group's own id (LINE accepts no other).
    h.platform.failNext({ path: '/v2/bot/message/reply', status: 400, body: { message: 'Invalid reply token' } });
    expect((await h.post([inGroup('join', { replyToken: h.platform.issueReplyToken(GROUP) })])).status).toBe(200);
    await h.akari.idle();
    const texts = h.platform.textsFor(GROUP);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('1対1');
    expect(h.platform.deliveriesFor(GROUP)[0]).toMatchObject({ kind: 'push', userId: GROUP });
    // Messages, taps and a member joining: acknowledged, not answered, no conversation started.
    expect(
      (
        await h.post([
          inGroup('message', { replyToken: h.platform.issueReplyToken(GROUP), message: { type: 'text', id: '77', text: 'こんにちは', quoteToken: 'q' } }),
          inGroup('postback', { replyToken: h.platform.issueReplyToken(GROUP), postback: { data: 'action=help' } }),
          inGroup('memberJoined', { replyToken: h.platform.issueReplyToken(GROUP), joined: { members: [{ type: 'user', userId: member }] } }),
        ])
      ).status,
    ).toBe(200);
    await h.akari.idle();
    expect(h.platform.textsFor(GROUP)).toHaveLength(1);
    expect(await h.akari.store.loadConversation(GROUP)).toBeUndefined();
    // What the members wrote to each other is not kept.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(h.databaseUrl.replace(/^file:/, ''), { readonly: true });
    try {
      expect((db.prepare('SELECT payload FROM inbox').all() as Array<{ payload: string }>).filter((r) => r.payload.includes('こんにちは'))).toEqual([]);
    } finally {
      db.close();
    }
    expect(h.platform.deliveriesFor(member)).toEqual([]);

    const inRoom = { ...inGroup('join', { replyToken: h.platform.issueReplyToken(ROOM) }), source: { type: 'room', roomId: ROOM, userId: member } } as webhook.Event;
    expect((await h.post([inRoom])).status).toBe(200);
    await h.akari.idle();
    expect(h.platform.deliveriesFor(ROOM)).toHaveLength(1);
    expectEveryAnswerOnce(h.platform, h.databaseUrl, [GROUP, ROOM]);
    expect(h.platform.violations).toEqual([]); // every request was one LINE accepts (the injected failure is no violation)
  });

  it('an event with no user, group or room id is acknowledged and dropped with a log line', async () => {
    h = await start();
    const user = lineUserId(7);
    const { source: _s, ...noSource } = good(h, user);
    const noId = { ...good(h, user), source: { type: 'user' } };
    expect((await h.post([noSource as webhook.Event, noId as webhook.Event])).status).toBe(200);
    await h.akari.idle();
    expect(await h.akari.store.getInboxRow(noSource.webhookEventId)).toBeUndefined();
    expect(await h.akari.store.getInboxRow(noId.webhookEventId)).toBeUndefined();
    expect(warned(h, 'event without a user, group or room id; acknowledged and dropped')).toHaveLength(2);
    expect(h.platform.deliveries).toEqual([]);
  });

  it('unsend: the text leaves the inbox and the stored answer, and the details only that message gave are forgotten', async () => {
    h = await start();
    const user = lineUserId(8);
    await h.follow(user);
    const told = good(h, user, '株式会社サンプル商事の面接のあと、電話に出られませんでした');
    expect((await h.post([told])).status).toBe(200);
    await h.akari.idle();
    await h.say(user, '3日前です');
    const profile = () => (h!.akari.store.loadConversation(user).then((c) => (c?.snapshot as { context: { profile: Record<string, unknown> } }).context.profile));
    expect(await profile()).toMatchObject({ employerName: '株式会社サンプル商事', daysElapsed: 3 });
    const before = h.platform.deliveries.length;

    const messageId = (told as webhook.MessageEvent).message.id;
    const unsend = { type: 'unsend', timestamp: now(h), mode: 'active', webhookEventId: newEventId(now(h)), deliveryContext: { isRedelivery: false }, source: { type: 'user', userId: user }, unsend: { messageId } } as webhook.Event;
    expect((await h.post([unsend])).status).toBe(200);
    await h.akari.idle();

    const p = await profile();
    expect(p.employerName).toBeUndefined();
    expect(p.employerKind).toBeUndefined();
    expect(p.daysElapsed).toBe(3);
    expect(JSON.stringify((await h.akari.store.getInboxRow(told.webhookEventId))?.payload)).not.toContain('サンプル');
    // Nothing in the database file's live rows still holds the words.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(h.databaseUrl.replace(/^file:/, ''), { readonly: true });
    try {
      const rows = [...db.prepare('SELECT payload AS t FROM inbox').all(), ...db.prepare('SELECT messages AS t FROM outbox').all(), ...db.prepare('SELECT snapshot AS t FROM conversations').all()] as Array<{ t: string }>;
      expect(rows.filter((r) => r.t.includes('サンプル'))).toEqual([]);
    } finally {
      db.close();
    }
    expect(h.platform.deliveries.length).toBe(before); // Akari says nothing about it
    // The conversation goes on: the employer is asked for again when it is needed, not remembered.
    expect((await h.say(user, '登録内容')).join('\n')).not.toContain('サンプル');
  });
});
