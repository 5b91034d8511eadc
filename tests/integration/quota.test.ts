/**
 * The message quota: read from the (fake) LINE platform at start and on refresh, counted as pushes
 * go out, shown as metrics; proactive pushes wait while what is left is under LINE_QUOTA_RESERVE
 * (and go once there is quota again), while answers still go by reply.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';
import { parsePrometheus, valueOf } from '../support/prometheus.ts';

const USER = `U${'q'.repeat(32)}`;
let n = 0;
const batchId = () => `00000000-0000-4000-a000-${String(++n).padStart(12, '0')}`;

describe('message quota', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function proactivePush(harness: Harness, text: string): Promise<string> {
    const id = batchId();
    await harness.akari.store.commitTurn({ userId: USER, outbox: [{ id, userId: USER, messages: [{ type: 'text', text }], proactive: true, createdAt: harness.clock.now().getTime() }] });
    return id;
  }

  it('reads the quota and consumption at start, and shows them as metrics', async () => {
    h = await startHarness({ env: { METRICS_PORT: '0' } });
    h.platform.setMessageQuota(1000, 120);
    await h.akari.quota.refresh();
    expect(h.platform.requests.filter((r) => r.path === '/v2/bot/message/quota').length).toBeGreaterThanOrEqual(2); // at start, and now
    expect(h.platform.requests.some((r) => r.path === '/v2/bot/message/quota/consumption')).toBe(true);
    expect(h.akari.quota.current()).toEqual({ type: 'limited', limit: 1000, used: 120 });
    const m = parsePrometheus(await (await fetch(`${h.akari.metricsUrl!}/metrics`)).text());
    expect(valueOf(m, 'akari_line_quota_limit_messages')).toBe(1000);
    expect(valueOf(m, 'akari_line_quota_used_messages')).toBe(120);
    expect(valueOf(m, 'akari_line_quota_remaining_messages')).toBe(880);
    expect(valueOf(m, 'akari_line_requests_total', { operation: 'quota', status: '200' })).toBeGreaterThanOrEqual(4);
  });

  it('counts each push sent against the quota between two readings', async () => {
    h = await startHarness({ overrides: { outboxSweepMs: 20 } });
    h.platform.setMessageQuota(1000, 5);
    await h.akari.quota.refresh();
    await proactivePush(h, 'その後いかがですか');
    await waitFor(() => h!.platform.deliveriesFor(USER).length === 1, 'the push');
    await waitFor(() => h!.akari.quota.current()?.used === 6, 'the push to be counted');
    await h.akari.quota.refresh();
    expect(h.akari.quota.current()).toEqual({ type: 'limited', limit: 1000, used: 6 });
  });

  it('holds proactive pushes under the reserve (saying so), still replies, and pushes once there is quota', async () => {
    h = await startHarness({ env: { LINE_QUOTA_RESERVE: '20' }, overrides: { outboxSweepMs: 20 } });
    h.platform.setMessageQuota(100, 85); // 15 left, under 20
    await h.akari.quota.refresh();
    expect(h.akari.quota.holdReason()).toMatch(/15 left/);
    const id = await proactivePush(h, 'その後いかがですか');
    await waitFor(() => h!.logs.records().some((r) => r.msg === 'push held: message quota under the reserve; it goes out when there is quota again' && r.batchId === id), 'the hold to be logged');
    expect(h.logs.records().filter((r) => r.msg === 'message quota under the reserve: proactive pushes are held')).toHaveLength(1);
    // An answer to the user goes by reply (free) all the same.
    const replies = await h.say(USER, 'こんにちは');
    expect(replies.length).toBeGreaterThan(0);
    expect(h.platform.deliveriesFor(USER).every((d) => d.kind === 'reply')).toBe(true);
    expect((await h.akari.store.getOutbox(id))?.status).toBe('pending');
    // A new month (or a bigger plan): the held push goes out with the next sweep.
    h.platform.setMessageQuota(100, 0);
    await h.akari.quota.refresh();
    await waitFor(async () => (await h!.akari.store.getOutbox(id))?.status === 'sent', 'the held push to go out');
    expect(h.platform.deliveriesFor(USER).filter((d) => d.kind === 'push')).toHaveLength(1);
    expect(h.logs.records().some((r) => r.msg === 'message quota above the reserve again: proactive pushes go out')).toBe(true);
  });

  it('holds nothing when the quota is unknown or unlimited', async () => {
    h = await startHarness({ env: { LINE_QUOTA_RESERVE: '1000000' } });
    h.platform.failNext({ path: '/v2/bot/message/quota', status: 500, times: 1 });
    await h.akari.quota.refresh();
    expect(h.akari.quota.holdReason()).toBeUndefined();
    h.platform.setMessageQuota('none', 50);
    await h.akari.quota.refresh();
    expect(h.akari.quota.current()).toEqual({ type: 'none', used: 50 });
    expect(h.akari.quota.holdReason()).toBeUndefined();
  });
});
