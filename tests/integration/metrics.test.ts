/**
 * GET /metrics, scraped from a real Akari after real traffic: each number is checked against what
 * the test did (webhooks by outcome, events by type, turns, sends and LINE's status codes, timers,
 * backlogs, stages, store writes, Node's defaults), and where it is served (its own port, or the
 * public port with the token only).
 */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackBody, signBody, textEvent } from '../../src/local/webhook-events.ts';
import { startHarness, TEST_SECRET, type Harness } from '../support/harness.ts';
import { has, parsePrometheus, valueOf } from '../support/prometheus.ts';

const USER = `U${'1'.repeat(32)}`;
const TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const scrape = async (harness: Harness) => {
    const res = await fetch(`${harness.akari.metricsUrl!}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parsePrometheus(await res.text());
  };

  it('counts webhooks by outcome, events by type, turns, sends and LINE status codes', async () => {
    h = await startHarness({ env: { METRICS_PORT: '0' } });
    const now = () => h!.clock.now().getTime();
    const event = textEvent({ userId: USER, text: 'こんにちは', timestamp: now(), replyToken: h.platform.issueReplyToken(USER) });
    expect((await h.post([event])).status).toBe(200);
    await h.akari.idle();
    // LINE redelivers the same event: a duplicate.
    expect((await h.post([event])).status).toBe(200);
    // A bad signature, a body over 1 MB, the console's connectivity check.
    const body = callbackBody([event]);
    expect((await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, 'wrong-secret')).send(body)).status).toBe(401);
    const huge = JSON.stringify({ destination: 'x', events: [], pad: 'x'.repeat(1_100_000) });
    expect((await request(h.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(huge, TEST_SECRET)).send(huge)).status).toBe(413);
    expect((await h.post([])).status).toBe(200);
    // The next reply fails: its batch falls back to push, and the push's first answer is lost after LINE took it (then 409).
    h.platform.failNext({ path: '/v2/bot/message/reply', status: 400, body: { message: 'Invalid reply token' } });
    h.platform.failNext({ path: '/v2/bot/message/push', networkError: true, afterHandling: true });
    await h.say(USER, '面接のあと電話に出られませんでした');

    const m = await scrape(h);
    expect(valueOf(m, 'akari_webhook_requests_total', { outcome: 'accepted' })).toBe(3);
    expect(valueOf(m, 'akari_webhook_requests_total', { outcome: 'bad_signature' })).toBe(1);
    expect(valueOf(m, 'akari_webhook_requests_total', { outcome: 'too_large' })).toBe(1);
    expect(valueOf(m, 'akari_webhook_requests_total', { outcome: 'connectivity_check' })).toBe(1);
    expect(valueOf(m, 'akari_webhook_events_total', { type: 'message', outcome: 'accepted' })).toBe(2);
    expect(valueOf(m, 'akari_webhook_events_total', { type: 'message', outcome: 'duplicate' })).toBe(1);
    expect(valueOf(m, 'akari_turn_duration_seconds_count', { type: 'message', result: 'ok' })).toBe(2);
    expect(valueOf(m, 'akari_sends_total', { via: 'reply', result: 'sent' })).toBe(1);
    expect(valueOf(m, 'akari_sends_total', { via: 'reply', result: 'fallback_to_push' })).toBe(1);
    expect(valueOf(m, 'akari_sends_total', { via: 'push', result: 'retry' })).toBe(1);
    expect(valueOf(m, 'akari_sends_total', { via: 'push', result: 'already_sent' })).toBe(1);
    expect(valueOf(m, 'akari_line_requests_total', { operation: 'reply', status: '200' })).toBe(1);
    expect(valueOf(m, 'akari_line_requests_total', { operation: 'reply', status: '400' })).toBe(1);
    expect(valueOf(m, 'akari_line_requests_total', { operation: 'push', status: 'network' })).toBe(1);
    expect(valueOf(m, 'akari_line_requests_total', { operation: 'push', status: '409' })).toBe(1);
    expect(valueOf(m, 'akari_conversations', { stage: 'situation' })).toBe(1);
    expect(valueOf(m, 'akari_store_commit_duration_seconds_count', { operation: 'commitTurn' })).toBe(2);
    expect(valueOf(m, 'akari_store_commit_duration_seconds_count', { operation: 'acceptEvents' })).toBe(3);
    expect(has(m, 'process_cpu_user_seconds_total')).toBe(true);
    expect(has(m, 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('reports the inbox backlog and its age, timers due, scheduler lag, and what the scheduler did', async () => {
    h = await startHarness({ env: { METRICS_PORT: '0' } });
    await h.say(USER, 'こんにちは');
    const t0 = h.clock.now().getTime();
    // An event stored but not handled (nobody kicks the dispatcher for it), received 90 s ago.
    await h.akari.store.acceptEvents([{ eventId: 'E-backlog', userId: `U${'2'.repeat(32)}`, payload: { type: 'unknownThing' }, receivedAt: t0 }]);
    await h.akari.store.commitTurn({ userId: USER, scheduleTimers: [{ id: 'metrics-timer-1', userId: USER, kind: 'probe', dueAt: t0 + 60_000, payload: null, createdAt: t0 }] });
    h.clock.advance(90_000);
    let m = await scrape(h);
    expect(valueOf(m, 'akari_inbox_pending_events')).toBe(1);
    expect(valueOf(m, 'akari_inbox_oldest_pending_age_seconds')).toBe(90);
    expect(valueOf(m, 'akari_timers_due')).toBe(1);
    expect(valueOf(m, 'akari_scheduler_lag_seconds')).toBe(30);
    await h.akari.scheduler.runDue();
    await h.akari.idle();
    m = await scrape(h);
    expect(valueOf(m, 'akari_timers_due')).toBe(0);
    expect(valueOf(m, 'akari_scheduler_lag_seconds')).toBe(0);
    expect(valueOf(m, 'akari_timers_total', { result: 'fired' })).toBe(1);
    expect(valueOf(m, 'akari_timer_lateness_seconds_count')).toBe(1);
    expect(valueOf(m, 'akari_timer_lateness_seconds_sum')).toBe(30);
  });

  it('stops the start, naming the settings, when the metrics port is taken', async () => {
    const taken = await startHarness();
    try {
      const port = new URL(taken.platform.url!).port;
      await expect(startHarness({ platform: taken.platform, env: { METRICS_PORT: port } })).rejects.toThrow(/METRICS_HOST\/METRICS_PORT: cannot serve metrics on 127\.0\.0\.1:\d+/);
    } finally {
      await taken.stop();
    }
  });

  it('is not on the public port unless METRICS_TOKEN is set, and then only with the token', async () => {
    h = await startHarness();
    expect((await request(h.akari.url).get('/metrics')).status).toBe(404);
    expect(h.akari.metricsUrl).toBeUndefined();
    await h.stop();
    h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
    expect((await request(h.akari.url).get('/metrics')).status).toBe(401);
    expect((await request(h.akari.url).get('/metrics').set('authorization', 'Bearer not-the-token-at-all-0000')).status).toBe(401);
    const ok = await request(h.akari.url).get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('akari_webhook_requests_total');
  });
});
