import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { webhook } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { textEvent } from '../../src/local/webhook-events.ts';
import type { Store } from '../../src/store/ports.ts';
import { parseTokyoInstant } from '../../src/time/tokyo.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const jst = (local: string) => parseTokyoInstant(local).getTime();
const USER = 'U0123456789abcdef0123456789abcdef';

async function addTimer(store: Store, userId: string, dueAt: number) {
  const t = { id: randomUUID(), userId, kind: 'followUp', dueAt, payload: null, createdAt: 0 };
  await store.commitTurn({ userId, scheduleTimers: [t] });
  return t;
}

describe('/local/clock', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('does not exist when LOCAL_TOOLS is false', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'false' } });
    expect((await request(h.akari.url).get('/local/clock')).status).toBe(404);
    const res = await request(h.akari.url).post('/local/clock').send({ advanceMinutes: 5 });
    expect(res.status).toBe(404);
    expect(h.clock.now().toISOString()).toBe('2026-12-01T01:00:00.000Z');
  });

  it('sends a push that quiet hours held once the clock is moved past them', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' }, overrides: { outboxSweepMs: 0 } });
    await request(h.akari.url).post('/local/clock').send({ now: '2026-12-01T22:00' });
    const id = randomUUID();
    const held = { id, userId: USER, messages: [{ type: 'text', text: 'その後いかがですか？' }], proactive: true, createdAt: jst('2026-12-01T22:00') };
    await h.akari.store.commitTurn({ userId: USER, outbox: [held] });
    await request(h.akari.url).post('/local/clock').send({ advanceMinutes: 60 });
    expect(h.platform.deliveriesFor(USER)).toEqual([]);
    await request(h.akari.url).post('/local/clock').send({ now: '2026-12-02T09:00' });
    expect(h.platform.deliveriesFor(USER).map((d) => [d.kind, d.retryKey])).toEqual([['push', id]]);
  });

  it('reads and sets the clock', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' } });
    expect((await request(h.akari.url).get('/local/clock')).body).toEqual({ now: '2026-12-01T01:00:00.000Z' });

    const set = await request(h.akari.url).post('/local/clock').send({ now: '2026-12-02T08:00' });
    expect(set.status).toBe(200);
    // No zone: Tokyo time.
    expect(set.body).toEqual({ now: '2026-12-01T23:00:00.000Z', fired: 0 });
    expect(h.clock.now().toISOString()).toBe('2026-12-01T23:00:00.000Z');

    const zoned = await request(h.akari.url).post('/local/clock').send({ now: '2026-12-03T10:15:00+09:00' });
    expect(zoned.body.now).toBe('2026-12-03T01:15:00.000Z');
    const forward = await request(h.akari.url).post('/local/clock').send({ advanceMinutes: 90 });
    expect(forward.body).toEqual({ now: '2026-12-03T02:45:00.000Z', fired: 0 });
    // Going back is allowed with "now" (nothing is undone).
    const back = await request(h.akari.url).post('/local/clock').send({ now: '2026-12-01T10:00:00+09:00' });
    expect(back.status).toBe(200);
    expect((await request(h.akari.url).get('/local/clock')).body.now).toBe('2026-12-01T01:00:00.000Z');
  });

  it.each([
    [{}, /exactly one of "now"/],
    [{ now: '2026-12-01T10:00', advanceMinutes: 5 }, /exactly one of "now"/],
    [{ advanceMinutes: -5 }, /cannot be negative/],
    [{ advanceMinutes: 1.5 }, /whole number/],
    [{ advanceMinutes: '5' }, /advanceMinutes must be a number/],
    [{ now: 'tomorrow' }, /not an ISO-8601 date-time/],
    [{ now: '2026-02-30T10:00' }, /not an ISO-8601 date-time/],
    [{ later: 5 }, /unknown field\(s\) "later"/],
    [[1, 2], /expected a JSON object/],
  ])('answers 400 with a readable message to %j', async (body, message) => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' } });
    const res = await request(h.akari.url).post('/local/clock').send(body as object);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_body');
    expect(res.body.message).toMatch(message);
    expect(h.clock.now().toISOString()).toBe('2026-12-01T01:00:00.000Z');
  });

  it('answers 400 to malformed JSON, and the webhook still gets its raw body', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' } });
    const res = await request(h.akari.url).post('/local/clock').set('content-type', 'application/json').send('{"advanceMinutes": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_json');
    // An event the conversation has nothing to say to: this checks the signature path only.
    const e = { ...textEvent({ userId: USER, text: 'x', timestamp: h.clock.now().getTime(), replyToken: 'r' }), type: 'unsend', unsend: { messageId: '1' } };
    expect((await h.post([e as unknown as webhook.Event])).status).toBe(200);
    await h.akari.idle();
    expect((await h.akari.store.getInboxRow(e.webhookEventId))?.status).toBe('done');
  });

  it('fires every timer that falls due, in order and each at its own time, before answering', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' } });
    const store = h.akari.store;
    const a = await addTimer(store, 'Ua', jst('2026-12-01T10:30'));
    const b = await addTimer(store, 'Ub', jst('2026-12-01T10:10'));
    // Quiet hours: moved to 09:00 the next morning, and fired then.
    const c = await addTimer(store, 'Uc', jst('2026-12-01T23:00'));
    const d = await addTimer(store, 'Ud', jst('2026-12-03T12:00'));

    const res = await request(h.akari.url).post('/local/clock').send({ advanceMinutes: 24 * 60 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ now: '2026-12-02T01:00:00.000Z', fired: 3 });

    // Already handled when the response came: no idle() needed.
    const rows = await Promise.all([b, a, c].map((t) => store.getInboxRow(`timer:${t.id}`)));
    expect(rows.map((r) => r?.receivedAt)).toEqual([jst('2026-12-01T10:10'), jst('2026-12-01T10:30'), jst('2026-12-02T09:00')]);
    expect(rows.map((r) => r?.status)).toEqual(['done', 'done', 'done']);
    const seqs = rows.map((r) => r!.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(await store.getInboxRow(`timer:${d.id}`)).toBeUndefined();
    expect((await store.pendingTimers('Ud')).map((t) => t.id)).toEqual([d.id]);
    expect(h.logs.records().some((r) => r.msg === 'timer moved out of quiet hours' && r.timerId === c.id)).toBe(true);

    const more = await request(h.akari.url).post('/local/clock').send({ now: '2026-12-04T00:00' });
    expect(more.body.fired).toBe(1);
    expect((await store.getInboxRow(`timer:${d.id}`))?.receivedAt).toBe(jst('2026-12-03T12:00'));
  });

  it('does not fire anything by itself: only moving the clock does', async () => {
    h = await startHarness({ env: { LOCAL_TOOLS: 'true' } });
    const t = await addTimer(h.akari.store, 'Ua', jst('2026-12-01T10:05'));
    h.akari.scheduler.wake();
    h.clock.advanceMinutes(10);
    await h.akari.idle();
    expect(await h.akari.store.getInboxRow(`timer:${t.id}`)).toBeUndefined();
    const res = await request(h.akari.url).post('/local/clock').send({ advanceMinutes: 0 });
    expect(res.body.fired).toBe(1);
  });
});
