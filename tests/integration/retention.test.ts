/**
 * Data retention through the real app: what a user sent, and what Akari answered, is deleted once it
 * is older than DATA_RETENTION_DAYS (at start-up, then hourly), while their conversation carries on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { textEvent } from '../../src/local/webhook-events.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { startHarness, tempDatabaseUrl, waitFor, type Harness } from '../support/harness.ts';

const ALICE = 'U0000000000000000000000000000a11c';
const DAY = 24 * 3_600_000;

describe('data retention through the real app', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('deletes old events and sent messages at start-up, keeps the conversation, and carries on', async () => {
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    // What production has: a clock Akari cannot move (not a fake one), read from the test's.
    const realLike = { overrides: { clock: { now: () => clock.now() } } };
    const databaseUrl = tempDatabaseUrl();
    const env = { DATA_RETENTION_DAYS: '7' };
    h = await startHarness({ clock, databaseUrl, env, ...realLike });
    const first = textEvent({ userId: ALICE, text: '面接のあと電話に出られませんでした', timestamp: clock.now().getTime(), replyToken: h.platform.issueReplyToken(ALICE) });
    expect((await h.post([first])).status).toBe(200);
    await h.akari.idle();
    expect((await h.akari.store.getInboxRow(first.webhookEventId))?.status).toBe('done');
    const before = await h.akari.store.loadConversation(ALICE);
    expect(before).toBeDefined();
    await h.stop();

    // Six days on nothing is old enough; eight days on, the first exchange is.
    clock.advance(6 * DAY);
    h = await startHarness({ clock, databaseUrl, env, ...realLike });
    expect(await h.akari.retention.sweep()).toEqual({ inbox: 0, outbox: 0, timers: 0 });
    await h.stop();
    clock.advance(2 * DAY);
    h = await startHarness({ clock, databaseUrl, env, ...realLike });
    const store = h.akari.store;
    await waitFor(async () => (await store.getInboxRow(first.webhookEventId)) === undefined, 'the old event deleted at start-up');
    await waitFor(async () => h!.logs.text().includes('deleted finished records past the retention period'), 'the log line');
    const line = h.logs.records().find((r) => r.msg === 'deleted finished records past the retention period');
    expect(line).toMatchObject({ inbox: 1 });
    expect(line!.outbox).toBeGreaterThanOrEqual(1);

    // What the user is in the middle of stays, and the next message carries on from it.
    expect(await store.loadConversation(ALICE)).toEqual(before);
    const replies = await h.say(ALICE, 'はい');
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect((await store.loadConversation(ALICE))?.updatedAt).toBe(clock.now().getTime());
  });

  it('with a fake clock (tests, local tools) deletes only when asked', async () => {
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const databaseUrl = tempDatabaseUrl();
    h = await startHarness({ clock, databaseUrl });
    const first = textEvent({ userId: ALICE, text: 'こんにちは', timestamp: clock.now().getTime(), replyToken: h.platform.issueReplyToken(ALICE) });
    await h.post([first]);
    await h.akari.idle();
    await h.stop();
    clock.advance(40 * DAY);
    h = await startHarness({ clock, databaseUrl });
    await h.say(ALICE, 'はい');
    expect((await h.akari.store.getInboxRow(first.webhookEventId))?.status).toBe('done');
    expect((await h.akari.retention.sweep()).inbox).toBe(1);
    expect(await h.akari.store.getInboxRow(first.webhookEventId)).toBeUndefined();
  });
});
