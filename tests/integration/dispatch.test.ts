/**
 * Events through the real app: per-user order, users in parallel, a failing event parked without
 * blocking the user, and deletion (unfollow, or 'データ削除' confirmed). Reply wording belongs to the
 * conversation machine and changes; these tests count deliveries and look at the store instead.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { textEvent, unfollowEvent } from '../../src/local/webhook-events.ts';
import type { Store, Turn } from '../../src/store/ports.ts';
import { startHarness, type Harness, type HarnessOptions } from '../support/harness.ts';

const ALICE = 'U0000000000000000000000000000a11c';
const BOB = 'U0000000000000000000000000000b0b0';


const start = (opts: HarnessOptions = {}): Promise<Harness> => startHarness(opts);

/** Rejects if `promise` has not settled in time, so a broken guarantee fails instead of hanging. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('dispatch through the real app', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const text = (harness: Harness, userId: string, body: string) =>
    textEvent({ userId, text: body, timestamp: harness.clock.now().getTime(), replyToken: harness.platform.issueReplyToken(userId) });

  it("handles 20 concurrent events of one user one at a time, in arrival (inbox seq) order", async () => {
    // Watch the store: a turn starts when the dispatcher takes the row, ends when it is committed.
    const started: number[] = [];
    const committed: number[] = [];
    let inProgress: number | undefined;
    let overlaps = 0;
    // The first turn is held until every webhook has been acknowledged, so all 20 arrive (and kick
    // the dispatcher) while a turn is in progress: a second turn starting then would show up here.
    let releaseFirstTurn!: () => void;
    const allAcknowledged = new Promise<void>((resolve) => (releaseFirstTurn = resolve));
    h = await start({
      overrides: {
        wrapStore: (store): Store => ({
          ...store,
          async nextInboxRow(userId) {
            const row = await store.nextInboxRow(userId);
            if (row && userId === ALICE) {
              if (inProgress !== undefined) overlaps++;
              inProgress = row.seq;
              started.push(row.seq);
            }
            return row;
          },
          async commitTurn(turn: Turn) {
            if (turn.userId === ALICE && committed.length === 0) await within(allAcknowledged, 10_000, 'all webhooks acknowledged');
            await store.commitTurn(turn);
            if (turn.userId === ALICE && turn.inboxSeq !== undefined) {
              committed.push(turn.inboxSeq);
              inProgress = undefined;
            }
          },
        }),
      },
    });
    const harness = h;
    const events = Array.from({ length: 20 }, (_, i) => text(harness, ALICE, i === 0 ? 'こんにちは' : `メッセージ${i}`));

    // 20 separately signed webhooks, all in flight at once.
    const responses = await Promise.all(events.map((e) => harness.post([e])));
    expect(responses.map((r) => r.status)).toEqual(events.map(() => 200));
    releaseFirstTurn();
    await harness.akari.idle();

    const rows = await Promise.all(events.map(async (e) => (await harness.akari.store.getInboxRow(e.webhookEventId))!));
    expect(rows.map((r) => r.status)).toEqual(events.map(() => 'done'));
    const arrival = [...rows].sort((a, b) => a.seq - b.seq);

    expect(overlaps).toBe(0);
    expect(started).toEqual(arrival.map((r) => r.seq));
    expect(committed).toEqual(arrival.map((r) => r.seq));
    // The same order as the logs tell it: 'turn committed' lines in inbox seq order.
    const mine = new Set(events.map((e) => e.webhookEventId));
    const logged = harness.logs
      .records()
      .filter((r) => r.msg === 'turn committed' && mine.has(String(r.webhookEventId)))
      .map((r) => r.webhookEventId);
    expect(logged).toEqual(arrival.map((r) => r.eventId));
    expect(harness.platform.deliveriesFor(ALICE).length).toBeGreaterThanOrEqual(1);
  });

  it('handles different users in parallel: one user’s slow turn does not hold up another', async () => {
    let bobCommitted!: () => void;
    const bobDone = new Promise<void>((resolve) => (bobCommitted = resolve));
    const order: string[] = [];
    h = await start({
      overrides: {
        wrapStore: (store): Store => ({
          ...store,
          async commitTurn(turn: Turn) {
            // Alice's turn can only finish once Bob's has: impossible if users were handled one after another.
            if (turn.userId === ALICE) await within(bobDone, 10_000, "Bob's turn while Alice's was in progress");
            await store.commitTurn(turn);
            order.push(turn.userId);
            if (turn.userId === BOB) bobCommitted();
          },
        }),
      },
    });
    const alices = text(h, ALICE, 'こんにちは');
    const bobs = text(h, BOB, 'こんにちは');
    expect((await h.post([alices])).status).toBe(200);
    expect((await h.post([bobs])).status).toBe(200);
    await h.akari.idle();

    expect(order).toEqual([BOB, ALICE]);
    expect((await h.akari.store.getInboxRow(alices.webhookEventId))?.status).toBe('done');
    expect(h.platform.deliveriesFor(ALICE).length).toBeGreaterThanOrEqual(1);
    expect(h.platform.deliveriesFor(BOB).length).toBeGreaterThanOrEqual(1);
  });

  it("retries a failing event, parks it, and answers the user's later events", async () => {
    let badEventId = '';
    let badAttempts = 0;
    h = await start({
      overrides: {
        wrapStore: (store): Store => ({
          ...store,
          async commitTurn(turn: Turn) {
            const bad = await store.getInboxRow(badEventId);
            if (bad && turn.inboxSeq === bad.seq) {
              badAttempts++;
              throw new Error('injected: this turn cannot be saved');
            }
            await store.commitTurn(turn);
          },
        }),
      },
    });
    const bad = text(h, ALICE, 'こんにちは');
    const good = text(h, ALICE, 'よろしくお願いします');
    badEventId = bad.webhookEventId;
    expect((await h.post([bad])).status).toBe(200);
    expect((await h.post([good])).status).toBe(200);
    await h.akari.idle();

    const maxAttempts = 3; // the harness's event retry policy
    expect(badAttempts).toBe(maxAttempts);
    expect(await h.akari.store.getInboxRow(bad.webhookEventId)).toMatchObject({ status: 'parked', attempts: maxAttempts });
    expect((await h.akari.store.getInboxRow(good.webhookEventId))?.status).toBe('done');
    // The later event was answered, with its own reply token; the parked one never was.
    const deliveries = h.platform.deliveriesFor(ALICE);
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    expect(deliveries[0]).toMatchObject({ kind: 'reply', replyToken: good.replyToken });
    expect(deliveries.some((d) => d.replyToken === bad.replyToken)).toBe(false);

    const records = h.logs.records();
    expect(records.filter((r) => r.level === 40 && r.webhookEventId === bad.webhookEventId)).toHaveLength(maxAttempts - 1);
    expect(records.filter((r) => r.level === 50 && r.webhookEventId === bad.webhookEventId)).toHaveLength(1);
  });

  describe('deleting user data', () => {
    const DISTINCTIVE = '株式会社ミカヅキ物産の人事の佐藤さん';

    async function aliceWithData(harness: Harness) {
      const told = text(harness, ALICE, DISTINCTIVE);
      expect((await harness.post([told])).status).toBe(200);
      await harness.akari.idle();
      expect(harness.platform.deliveriesFor(ALICE).length).toBeGreaterThanOrEqual(1);
      expect(await harness.akari.store.loadConversation(ALICE)).toBeDefined();
      // A follow-up scheduled for later (seeded through the store).
      const timer = { id: randomUUID(), userId: ALICE, kind: 'followUp', dueAt: harness.clock.now().getTime() + 86_400_000, payload: { about: DISTINCTIVE }, createdAt: 0 };
      await harness.akari.store.commitTurn({ userId: ALICE, scheduleTimers: [timer] });
      // Bob shares nothing with Alice and must keep everything.
      await harness.say(BOB, 'こんにちは');
      return { told, timer, push: { id: '' } };
    }

    /** A push waiting to go out when the deleting event arrives (Alice's next turn would send it). */
    async function seedPendingPush(harness: Harness, data: { push: { id: string } }) {
      const push = { id: randomUUID(), userId: ALICE, messages: [{ type: 'text', text: `${DISTINCTIVE}からの連絡はありましたか？` }], proactive: true, createdAt: 0 };
      await harness.akari.store.commitTurn({ userId: ALICE, outbox: [push] });
      data.push.id = push.id;
    }

    async function expectAliceForgotten(harness: Harness, data: Awaited<ReturnType<typeof aliceWithData>>) {
      const store = harness.akari.store;
      expect(await store.loadConversation(ALICE)).toBeUndefined();
      expect(await store.pendingTimers(ALICE)).toEqual([]);
      expect(await store.fireTimer(data.timer.id, harness.clock.now().getTime() + 365 * 86_400_000)).toBeUndefined();
      expect((await store.getOutbox(data.push.id))?.status).toBe('cancelled');
      expect(harness.platform.deliveries.some((d) => d.retryKey === data.push.id)).toBe(false);
      const row = await store.getInboxRow(data.told.webhookEventId);
      expect(row?.status).toBe('done');
      expect(JSON.stringify(row?.payload ?? null)).not.toContain(DISTINCTIVE);
      expect(await store.loadConversation(BOB)).toBeDefined();

      // The event ids are still known: a redelivery of what was deleted is not answered again.
      const before = harness.platform.deliveriesFor(ALICE).length;
      const redelivered = { ...data.told, deliveryContext: { isRedelivery: true } } as webhook.Event;
      expect((await harness.post([redelivered])).status).toBe(200);
      await harness.akari.idle();
      expect(harness.platform.deliveriesFor(ALICE)).toHaveLength(before);
      expect(JSON.stringify((await store.getInboxRow(data.told.webhookEventId))?.payload ?? null)).not.toContain(DISTINCTIVE);
    }

    it('deletes everything on unfollow, and sends nothing to the user who left', async () => {
      h = await start();
      const data = await aliceWithData(h);
      const sentBefore = h.platform.deliveriesFor(ALICE).length;
      await seedPendingPush(h, data);
      const unfollow = unfollowEvent({ userId: ALICE, timestamp: h.clock.now().getTime() });
      expect((await h.post([unfollow])).status).toBe(200);
      await h.akari.idle();

      expect((await h.akari.store.getInboxRow(unfollow.webhookEventId))?.status).toBe('done');
      expect(h.platform.deliveriesFor(ALICE)).toHaveLength(sentBefore);
      await expectAliceForgotten(h, data);
    });

    it("deletes everything when the user asks ('データ削除') and confirms with the postback", async () => {
      h = await start();
      const data = await aliceWithData(h);
      await h.say(ALICE, 'データ削除');
      // Asking alone deletes nothing.
      expect(await h.akari.store.loadConversation(ALICE)).toBeDefined();
      expect(await h.akari.store.pendingTimers(ALICE)).toHaveLength(1);

      await seedPendingPush(h, data);
      await h.tap(ALICE, 'action=delete&confirm=yes');
      await expectAliceForgotten(h, data);

      // A fresh start afterwards works like a first conversation.
      expect((await h.say(ALICE, 'こんにちは')).length).toBeGreaterThanOrEqual(1);
    });
  });
});
