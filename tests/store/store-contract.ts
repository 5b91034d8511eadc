/**
 * The contract every Store adapter must pass (SQLite now, PostgreSQL later): run it from an
 * adapter's test file with `runStoreContract('name', () => createXStore(...))`. It checks
 * behaviour only through the port, so it holds for any adapter. Each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOpsStoreContract } from './store-contract-ops.ts';
import type { InboxEvent, NewOutboxBatch, Store, StoredConversation, TimerRecord, Turn } from '../../src/store/ports.ts';

export type MakeStore = () => Store | Promise<Store>;

const T0 = Date.parse('2026-12-01T01:00:00Z');
const ALICE = 'Ualice00000000000000000000000000a';
const BOB = 'Ubob0000000000000000000000000000b';

let counter = 0;
const uuid = (n = ++counter) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function textPayload(userId: string, text: string) {
  return { type: 'message', source: { type: 'user', userId }, message: { type: 'text', text }, replyToken: 'token' };
}

function event(userId: string, text = 'こんにちは', receivedAt = T0): InboxEvent {
  return { eventId: `EV${++counter}`, userId, payload: textPayload(userId, text), receivedAt };
}

function conversation(userId: string, stage = 'situation', extra: Record<string, unknown> = {}): StoredConversation {
  return { userId, machineVersion: 1, stage, snapshot: { value: stage, context: { profile: { employerName: '株式会社あかり' }, ...extra } }, updatedAt: T0 };
}

function batch(userId: string, overrides: Partial<NewOutboxBatch> = {}): NewOutboxBatch {
  return { id: uuid(), userId, messages: [{ type: 'text', text: 'お返事です' }], proactive: false, createdAt: T0, ...overrides };
}

function timer(userId: string, dueAt: number, overrides: Partial<Omit<TimerRecord, 'status'>> = {}): Omit<TimerRecord, 'status'> {
  return { id: uuid(), userId, kind: 'followUp', dueAt, payload: { step: 1 }, createdAt: T0, ...overrides };
}

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    runOpsStoreContract(makeStore);

    /** Accepts one event and returns its inbox row. */
    async function accept(e: InboxEvent) {
      await store.acceptEvents([e]);
      const row = await store.getInboxRow(e.eventId);
      if (!row) throw new Error(`event ${e.eventId} was not stored`);
      return row;
    }

    describe('inbox', () => {
      it('stores new events and returns the accepted ones themselves', async () => {
        const a = event(ALICE);
        const b = event(BOB);
        const result = await store.acceptEvents([a, b]);
        expect(result.duplicates).toBe(0);
        // The webhook handler tells new from known events by identity.
        expect(result.accepted).toHaveLength(2);
        expect(result.accepted[0]).toBe(a);
        expect(result.accepted[1]).toBe(b);
        const row = await store.getInboxRow(a.eventId);
        expect(row).toMatchObject({ eventId: a.eventId, userId: ALICE, payload: a.payload, receivedAt: T0, status: 'pending', attempts: 0 });
        expect(row?.lastError).toBeUndefined();
      });

      it('ignores an event it already knows, in a later call and within one call', async () => {
        const a = event(ALICE);
        await store.acceptEvents([a]);
        const again = await store.acceptEvents([{ ...a, payload: { changed: true } }]);
        expect(again).toEqual({ accepted: [], duplicates: 1 });
        expect((await store.getInboxRow(a.eventId))?.payload).toEqual(a.payload);

        const b = event(BOB);
        const twice = await store.acceptEvents([b, { ...b }]);
        expect(twice.accepted).toHaveLength(1);
        expect(twice.duplicates).toBe(1);

        const first = await store.nextInboxRow(BOB);
        await store.commitTurn({ userId: BOB, inboxSeq: first!.seq });
        expect(await store.nextInboxRow(BOB)).toBeUndefined();
      });

      it('answers undefined for an unknown event id', async () => {
        expect(await store.getInboxRow('nope')).toBeUndefined();
      });

      it("hands out one user's events first in, first out, independently of other users", async () => {
        const a1 = event(ALICE, 'a1');
        const b1 = event(BOB, 'b1');
        const a2 = event(ALICE, 'a2');
        await store.acceptEvents([a1, b1]);
        await store.acceptEvents([a2]);
        const a3 = event(ALICE, 'a3');
        await store.acceptEvents([a3]);

        const seen: string[] = [];
        for (let row = await store.nextInboxRow(ALICE); row; row = await store.nextInboxRow(ALICE)) {
          seen.push(row.eventId);
          // Asking again without finishing gives the same row: nothing is skipped.
          expect((await store.nextInboxRow(ALICE))?.seq).toBe(row.seq);
          await store.commitTurn({ userId: ALICE, inboxSeq: row.seq });
        }
        expect(seen).toEqual([a1.eventId, a2.eventId, a3.eventId]);
        expect((await store.nextInboxRow(BOB))?.eventId).toBe(b1.eventId);
        expect(await store.nextInboxRow('Unobody')).toBeUndefined();
      });

      it('numbers events in arrival order', async () => {
        const rows = [];
        for (let i = 0; i < 5; i++) rows.push(await accept(event(i % 2 ? ALICE : BOB)));
        const seqs = rows.map((r) => r.seq);
        expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(seqs.length);
      });

      it('lists exactly the users who have pending events', async () => {
        expect(await store.usersWithPendingInbox()).toEqual([]);
        const a = await accept(event(ALICE));
        await accept(event(BOB));
        expect([...(await store.usersWithPendingInbox())].sort()).toEqual([ALICE, BOB].sort());
        await store.commitTurn({ userId: ALICE, inboxSeq: a.seq });
        expect(await store.usersWithPendingInbox()).toEqual([BOB]);
      });

      it('records a failure and keeps the event pending for a retry', async () => {
        const row = await accept(event(ALICE));
        const failed = await store.recordInboxFailure(row.seq, 'database is locked', false);
        expect(failed).toMatchObject({ seq: row.seq, status: 'pending', attempts: 1, lastError: 'database is locked' });
        await store.recordInboxFailure(row.seq, 'still locked', false);
        const next = await store.nextInboxRow(ALICE);
        expect(next).toMatchObject({ seq: row.seq, attempts: 2, lastError: 'still locked' });
      });

      it('parks an event so that the user’s later events go on', async () => {
        const bad = await accept(event(ALICE, 'bad'));
        const good = await accept(event(ALICE, 'good'));
        await store.recordInboxFailure(bad.seq, 'boom', false);
        const parked = await store.recordInboxFailure(bad.seq, 'boom again', true);
        expect(parked).toMatchObject({ status: 'parked', attempts: 2, lastError: 'boom again' });
        expect((await store.nextInboxRow(ALICE))?.seq).toBe(good.seq);
        await store.commitTurn({ userId: ALICE, inboxSeq: good.seq });
        expect(await store.nextInboxRow(ALICE)).toBeUndefined();
        expect(await store.usersWithPendingInbox()).toEqual([]);
        expect((await store.getInboxRow(bad.eventId))?.status).toBe('parked');
      });

      it('never brings a finished event back to pending when a late failure is recorded for it', async () => {
        // E.g. something after the commit threw: the turn is durable, so re-running it would answer twice.
        const row = await accept(event(ALICE));
        await store.commitTurn({ userId: ALICE, inboxSeq: row.seq });
        await store.recordInboxFailure(row.seq, 'listener failed', false);
        expect((await store.getInboxRow(row.eventId))?.status).toBe('done');
        expect(await store.nextInboxRow(ALICE)).toBeUndefined();
        expect(await store.usersWithPendingInbox()).toEqual([]);
      });

      it('keeps long error messages bounded without failing', async () => {
        const row = await accept(event(ALICE));
        const failed = await store.recordInboxFailure(row.seq, 'x'.repeat(100_000), false);
        expect(failed?.lastError?.length).toBeGreaterThan(0);
        expect(failed!.lastError!.length).toBeLessThan(100_000);
      });
    });

    describe('hasNewerUserEvent', () => {
      it('tells whether the user sent anything after a given event; timers and other users do not count', async () => {
        const t = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });
        const fired = await store.fireTimer(t.id, T0);
        const firedId = fired!.eventId;
        expect(await store.hasNewerUserEvent(ALICE, firedId)).toBe(false);
        await accept(event(BOB));
        const later = timer(ALICE, T0 + 1);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [later] });
        await store.fireTimer(later.id, T0 + 1);
        expect(await store.hasNewerUserEvent(ALICE, firedId)).toBe(false);
        const own = await accept(event(ALICE));
        // Handled or not, it counts.
        await store.commitTurn({ userId: ALICE, inboxSeq: own.seq });
        expect(await store.hasNewerUserEvent(ALICE, firedId)).toBe(true);
        expect(await store.hasNewerUserEvent(ALICE, own.eventId)).toBe(false);
        expect(await store.hasNewerUserEvent(BOB, firedId)).toBe(true);
        expect(await store.hasNewerUserEvent(ALICE, 'no-such-event')).toBe(false);
      });

      it('counts messages and taps, not events the conversation ignores', async () => {
        const first = await accept(event(ALICE));
        await accept({ eventId: 'EV-unsend', userId: ALICE, payload: { type: 'unsend', source: { type: 'user', userId: ALICE } }, receivedAt: T0 });
        expect(await store.hasNewerUserEvent(ALICE, first.eventId)).toBe(false);
        await accept({ eventId: 'EV-tap', userId: ALICE, payload: { type: 'postback', source: { type: 'user', userId: ALICE }, postback: { data: 'a=1' } }, receivedAt: T0 });
        expect(await store.hasNewerUserEvent(ALICE, first.eventId)).toBe(true);
      });
    });

    describe('conversations', () => {
      it('has none for a new user', async () => {
        expect(await store.loadConversation(ALICE)).toBeUndefined();
      });

      it('saves, replaces, keeps and deletes a conversation', async () => {
        await store.commitTurn({ userId: ALICE, conversation: conversation(ALICE, 'situation') });
        expect(await store.loadConversation(ALICE)).toEqual(conversation(ALICE, 'situation'));

        const later = { ...conversation(ALICE, 'call', { notes: ['あ', { deep: [1, 2, 3] }] }), machineVersion: 2, updatedAt: T0 + 1000 };
        await store.commitTurn({ userId: ALICE, conversation: later });
        expect(await store.loadConversation(ALICE)).toEqual(later);

        // undefined leaves it as it is
        await store.commitTurn({ userId: ALICE });
        expect(await store.loadConversation(ALICE)).toEqual(later);

        await store.commitTurn({ userId: ALICE, conversation: null });
        expect(await store.loadConversation(ALICE)).toBeUndefined();
      });

      it("keeps users' conversations apart", async () => {
        await store.commitTurn({ userId: ALICE, conversation: conversation(ALICE, 'call') });
        await store.commitTurn({ userId: BOB, conversation: conversation(BOB, 'lessons') });
        await store.commitTurn({ userId: ALICE, conversation: null });
        expect(await store.loadConversation(ALICE)).toBeUndefined();
        expect((await store.loadConversation(BOB))?.stage).toBe('lessons');
      });
    });

    describe('commitTurn', () => {
      it('makes the conversation, the outbox, the timers and the finished event durable together', async () => {
        const row = await accept(event(ALICE));
        const b = batch(ALICE, { replyToken: 'rt-1', replyTokenAt: T0 });
        const t = timer(ALICE, T0 + 60_000);
        await store.commitTurn({ userId: ALICE, inboxSeq: row.seq, conversation: conversation(ALICE), outbox: [b], scheduleTimers: [t] });

        expect(await store.loadConversation(ALICE)).toEqual(conversation(ALICE));
        expect((await store.getInboxRow(row.eventId))?.status).toBe('done');
        expect(await store.nextInboxRow(ALICE)).toBeUndefined();
        expect(await store.pendingOutbox(ALICE)).toMatchObject([{ id: b.id, status: 'pending' }]);
        expect(await store.pendingTimers(ALICE)).toMatchObject([{ id: t.id, status: 'pending', dueAt: t.dueAt }]);
      });

      it('leaves nothing behind when any part fails (two batches with one id)', async () => {
        await store.commitTurn({ userId: ALICE, conversation: conversation(ALICE, 'situation') });
        const keep = timer(ALICE, T0 + 1000, { kind: 'keep' });
        await store.commitTurn({ userId: ALICE, scheduleTimers: [keep] });
        const row = await accept(event(ALICE));

        const dup = batch(ALICE);
        const newTimer = timer(ALICE, T0 + 5000);
        const turn: Turn = {
          userId: ALICE,
          inboxSeq: row.seq,
          conversation: conversation(ALICE, 'call'),
          outbox: [batch(ALICE), dup, { ...dup, messages: [{ type: 'text', text: 'dup' }] }],
          scheduleTimers: [newTimer],
          cancelTimers: 'all',
        };
        await expect(store.commitTurn(turn)).rejects.toThrow();

        expect((await store.loadConversation(ALICE))?.stage).toBe('situation');
        expect((await store.getInboxRow(row.eventId))?.status).toBe('pending');
        expect((await store.nextInboxRow(ALICE))?.seq).toBe(row.seq);
        expect(await store.pendingOutbox()).toEqual([]);
        expect(await store.getOutbox(dup.id)).toBeUndefined();
        expect((await store.pendingTimers(ALICE)).map((x) => x.id)).toEqual([keep.id]);
      });

      it('rolls back a turn whose batch id was already used by an earlier turn', async () => {
        const first = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [first] });
        const row = await accept(event(ALICE));
        await expect(
          store.commitTurn({ userId: ALICE, inboxSeq: row.seq, conversation: conversation(ALICE), outbox: [batch(ALICE), { ...first }] }),
        ).rejects.toThrow();
        expect(await store.loadConversation(ALICE)).toBeUndefined();
        expect((await store.getInboxRow(row.eventId))?.status).toBe('pending');
        expect((await store.pendingOutbox(ALICE)).map((b) => b.id)).toEqual([first.id]);
      });

      it('rolls back a failing turn that would have deleted the user’s data', async () => {
        await store.commitTurn({ userId: ALICE, conversation: conversation(ALICE), scheduleTimers: [timer(ALICE, T0 + 1000)] });
        const existing = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [existing] });
        const row = await accept(event(ALICE, 'データ削除'));
        await expect(
          store.commitTurn({ userId: ALICE, inboxSeq: row.seq, deleteUserData: true, conversation: null, outbox: [{ ...existing }] }),
        ).rejects.toThrow();
        expect(await store.loadConversation(ALICE)).toBeDefined();
        expect(await store.pendingTimers(ALICE)).toHaveLength(1);
        expect((await store.getOutbox(existing.id))?.status).toBe('pending');
        expect(JSON.stringify((await store.getInboxRow(row.eventId))?.payload)).toContain('データ削除');
      });

      it('cancels pending timers by kind, or all of them', async () => {
        const a = timer(ALICE, T0 + 1000, { kind: 'nudge' });
        const b = timer(ALICE, T0 + 2000, { kind: 'checkIn' });
        const c = timer(ALICE, T0 + 3000, { kind: 'checkIn' });
        const bobs = timer(BOB, T0 + 1000, { kind: 'checkIn' });
        await store.commitTurn({ userId: ALICE, scheduleTimers: [a, b, c] });
        await store.commitTurn({ userId: BOB, scheduleTimers: [bobs] });

        await store.commitTurn({ userId: ALICE, cancelTimers: { kinds: ['checkIn'] } });
        expect((await store.pendingTimers(ALICE)).map((t) => t.id)).toEqual([a.id]);
        expect((await store.pendingTimers(BOB)).map((t) => t.id)).toEqual([bobs.id]);

        await store.commitTurn({ userId: ALICE, cancelTimers: 'all' });
        expect(await store.pendingTimers(ALICE)).toEqual([]);
        expect((await store.pendingTimers(BOB)).map((t) => t.id)).toEqual([bobs.id]);
        expect(await store.fireTimer(b.id, T0 + 10_000)).toBeUndefined();
      });

      it('cancels old timers before scheduling the turn’s new ones', async () => {
        const old = timer(ALICE, T0 + 1000, { kind: 'nudge' });
        await store.commitTurn({ userId: ALICE, scheduleTimers: [old] });
        const replacement = timer(ALICE, T0 + 2000, { kind: 'nudge' });
        await store.commitTurn({ userId: ALICE, cancelTimers: { kinds: ['nudge'] }, scheduleTimers: [replacement] });
        expect((await store.pendingTimers(ALICE)).map((t) => t.id)).toEqual([replacement.id]);
      });
    });

    describe('deleteUserData', () => {
      const SECRET_TEXT = '面接の担当は山田さんでした';

      async function aliceWithHistory() {
        const told = await accept(event(ALICE, SECRET_TEXT));
        const sent = batch(ALICE, { messages: [{ type: 'text', text: `${SECRET_TEXT}ですね` }] });
        const unsent = batch(ALICE, { messages: [{ type: 'text', text: `まだ送っていない: ${SECRET_TEXT}` }], proactive: true });
        const t = timer(ALICE, T0 + 60_000, { payload: { note: SECRET_TEXT } });
        await store.commitTurn({ userId: ALICE, inboxSeq: told.seq, conversation: conversation(ALICE, 'call', { said: SECRET_TEXT }), outbox: [sent, unsent], scheduleTimers: [t] });
        await store.markOutboxSent(sent.id, 'reply', T0 + 1);
        // Bob is a bystander: none of his data may change.
        const bobsEvent = await accept(event(BOB, SECRET_TEXT));
        const bobsBatch = batch(BOB);
        const bobsTimer = timer(BOB, T0 + 60_000);
        await store.commitTurn({ userId: BOB, inboxSeq: bobsEvent.seq, conversation: conversation(BOB), outbox: [bobsBatch], scheduleTimers: [bobsTimer] });
        return { told, sent, unsent, t, bobsEvent, bobsBatch, bobsTimer };
      }

      it('deletes the conversation, timers and pending pushes, forgets the text, and leaves other users alone', async () => {
        const h = await aliceWithHistory();
        const request = await accept(event(ALICE, `データ削除 ${SECRET_TEXT}`));
        const confirmation = batch(ALICE, { messages: [{ type: 'text', text: '削除しました' }] });
        await store.commitTurn({ userId: ALICE, inboxSeq: request.seq, deleteUserData: true, conversation: null, outbox: [confirmation] });

        expect(await store.loadConversation(ALICE)).toBeUndefined();
        // Timers: none pending, none due, and the deleted one can never fire.
        expect(await store.pendingTimers(ALICE)).toEqual([]);
        expect((await store.dueTimers(T0 + 120_000, 100)).map((t) => t.userId)).toEqual([BOB]);
        expect(await store.fireTimer(h.t.id, T0 + 120_000)).toBeUndefined();
        // Pending pushes are cancelled; the turn's own answer still goes out.
        expect((await store.pendingOutbox(ALICE)).map((b) => b.id)).toEqual([confirmation.id]);
        expect((await store.getOutbox(h.unsent.id))?.status).toBe('cancelled');
        // What the user wrote is forgotten: in events (the deleting one too), batches and timers.
        for (const id of [h.told.eventId, request.eventId]) {
          const row = await store.getInboxRow(id);
          expect(row?.status).toBe('done');
          expect(JSON.stringify(row?.payload ?? null)).not.toContain(SECRET_TEXT);
        }
        for (const id of [h.sent.id, h.unsent.id]) {
          expect(JSON.stringify((await store.getOutbox(id))?.messages ?? null)).not.toContain(SECRET_TEXT);
        }
        expect(JSON.stringify(await store.pendingTimers(ALICE))).not.toContain(SECRET_TEXT);

        // Bob is untouched.
        expect(await store.loadConversation(BOB)).toEqual(conversation(BOB));
        expect((await store.pendingOutbox(BOB)).map((b) => b.id)).toEqual([h.bobsBatch.id]);
        expect((await store.pendingTimers(BOB)).map((t) => t.id)).toEqual([h.bobsTimer.id]);
        expect(JSON.stringify((await store.getInboxRow(h.bobsEvent.eventId))?.payload)).toContain(SECRET_TEXT);
      });

      it('still recognises the deleted events’ ids, so a redelivery is not answered again', async () => {
        const h = await aliceWithHistory();
        const request = await accept(event(ALICE, 'データ削除'));
        await store.commitTurn({ userId: ALICE, inboxSeq: request.seq, deleteUserData: true, conversation: null });
        const redelivered = await store.acceptEvents([
          { eventId: h.told.eventId, userId: ALICE, payload: textPayload(ALICE, SECRET_TEXT), receivedAt: T0 + 5000 },
          { eventId: request.eventId, userId: ALICE, payload: textPayload(ALICE, 'データ削除'), receivedAt: T0 + 5000 },
        ]);
        expect(redelivered).toEqual({ accepted: [], duplicates: 2 });
        expect(await store.nextInboxRow(ALICE)).toBeUndefined();
        // …and the redelivered text did not sneak back in.
        expect(JSON.stringify((await store.getInboxRow(h.told.eventId))?.payload ?? null)).not.toContain(SECRET_TEXT);
      });

      it("keeps the user's events that arrived after the deleting one, to be handled next", async () => {
        const request = await accept(event(ALICE, 'データ削除'));
        const after = await accept(event(ALICE, 'こんにちは、また来ました'));
        await store.commitTurn({ userId: ALICE, inboxSeq: request.seq, deleteUserData: true, conversation: null });
        expect(await store.nextInboxRow(ALICE)).toMatchObject({ seq: after.seq, status: 'pending', payload: after.payload });
      });

      it('schedules nothing in the turn that deletes (no timer outlives the deletion)', async () => {
        const request = await accept(event(ALICE, 'データ削除'));
        await store.commitTurn({
          userId: ALICE,
          inboxSeq: request.seq,
          deleteUserData: true,
          conversation: null,
          scheduleTimers: [{ id: 'late-timer', userId: ALICE, kind: 'checkIn', dueAt: T0 + 1000, payload: null, createdAt: T0 }],
        });
        expect(await store.pendingTimers(ALICE)).toEqual([]);
      });

      it('works for a user the store has never seen', async () => {
        await store.commitTurn({ userId: 'Ustranger', deleteUserData: true, conversation: null });
        expect(await store.loadConversation('Ustranger')).toBeUndefined();
      });
    });

    describe('unsent messages', () => {
      /** A text message with LINE's message id, handled by a turn that recorded what it took from it. */
      async function handledMessage(userId: string, messageId: string, text: string, details?: Turn['messageDetails']) {
        const e: InboxEvent = { eventId: `EV${++counter}`, userId, payload: { ...textPayload(userId, text), message: { type: 'text', id: messageId, text } }, receivedAt: T0 };
        const row = await accept(e);
        const answer = batch(userId, { eventId: e.eventId, messages: [{ type: 'text', text: `「${text}」ですね` }] });
        await store.commitTurn({ userId, inboxSeq: row.seq, outbox: [answer], ...(details ? { messageDetails: details } : {}) });
        return { e, answer };
      }

      it('finds a message by its LINE message id, with what its turn took from it', async () => {
        const details = { profile: { employerName: { after: '株式会社あかり' }, userName: { before: '山田', after: '田中' } } };
        const { e } = await handledMessage(ALICE, 'M1', '株式会社あかりです', details);
        await handledMessage(ALICE, 'M2', 'よろしく');
        expect(await store.messageDetails(ALICE, 'M1')).toEqual({ eventId: e.eventId, details });
        expect(await store.messageDetails(ALICE, 'M2')).toMatchObject({ eventId: expect.any(String) });
        expect((await store.messageDetails(ALICE, 'M2'))?.details).toBeUndefined();
        expect(await store.messageDetails(BOB, 'M1')).toBeUndefined();
        expect(await store.messageDetails(ALICE, 'nope')).toBeUndefined();
      });

      it("forgets an unsent message's text, its details and the stored answer to it, with the rest of the turn", async () => {
        const { e, answer } = await handledMessage(ALICE, 'M1', '秘密の社名です', { profile: { employerName: { after: '秘密の社名' } } });
        const other = await handledMessage(ALICE, 'M2', 'ほかの話');
        const bobs = await handledMessage(BOB, 'M1', 'ボブの話');
        await store.markOutboxSent(answer.id, 'reply', T0);
        const unsend = await accept({ eventId: `EV${++counter}`, userId: ALICE, payload: { type: 'unsend', source: { type: 'user', userId: ALICE }, unsend: { messageId: 'M1' } }, receivedAt: T0 });
        await store.commitTurn({ userId: ALICE, inboxSeq: unsend.seq, forgetMessage: 'M1', conversation: conversation(ALICE) });

        expect(JSON.stringify((await store.getInboxRow(e.eventId))?.payload)).not.toContain('秘密');
        expect((await store.getInboxRow(e.eventId))?.status).toBe('done');
        expect(JSON.stringify(await store.getOutbox(answer.id))).not.toContain('秘密');
        expect((await store.getOutbox(answer.id))?.status).toBe('sent');
        expect((await store.messageDetails(ALICE, 'M1'))?.details).toBeUndefined();
        expect((await store.getInboxRow(unsend.eventId))?.status).toBe('done');
        expect(await store.loadConversation(ALICE)).toBeDefined();
        // Other messages, and another user's message with the same id, are left alone.
        expect(JSON.stringify((await store.getInboxRow(other.e.eventId))?.payload)).toContain('ほかの話');
        expect(JSON.stringify((await store.getInboxRow(bobs.e.eventId))?.payload)).toContain('ボブの話');
        expect(JSON.stringify(await store.getOutbox(bobs.answer.id))).toContain('ボブの話');
      });
    });

    describe('outbox', () => {
      it('keeps every field of a batch and lists pending batches in commit order, per user or all', async () => {
        const a1 = batch(ALICE, { eventId: 'EV-a1', replyToken: 'rt-a1', replyTokenAt: T0 - 500, messages: [{ type: 'text', text: 'a1' }, { type: 'text', text: 'a1b' }] });
        const b1 = batch(BOB, { proactive: true });
        const a2 = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [a1] });
        await store.commitTurn({ userId: BOB, outbox: [b1] });
        await store.commitTurn({ userId: ALICE, outbox: [a2] });

        const alices = await store.pendingOutbox(ALICE);
        expect(alices.map((b) => b.id)).toEqual([a1.id, a2.id]);
        expect(alices[0]).toMatchObject({ ...a1, status: 'pending', attempts: 0, replyAttempted: false });
        expect(alices[0]?.sentVia).toBeUndefined();
        expect(alices[1]?.replyToken).toBeUndefined();
        expect(alices[1]?.replyTokenAt).toBeUndefined();
        expect(alices[1]?.eventId).toBeUndefined();
        expect((await store.pendingOutbox()).map((b) => b.id)).toEqual([a1.id, b1.id, a2.id]);
        expect(await store.getOutbox(b1.id)).toMatchObject({ ...b1, status: 'pending' });
        expect(await store.getOutbox(uuid())).toBeUndefined();
      });

      it('remembers that a reply was attempted, and the batch stays pending', async () => {
        const b = batch(ALICE, { replyToken: 'rt', replyTokenAt: T0 });
        await store.commitTurn({ userId: ALICE, outbox: [b] });
        await store.markReplyAttempted(b.id);
        expect(await store.getOutbox(b.id)).toMatchObject({ status: 'pending', replyAttempted: true });
        expect((await store.pendingOutbox(ALICE)).map((x) => x.id)).toEqual([b.id]);
      });

      it('counts the start of a push as a try on record, and leaves the batch pending', async () => {
        const b = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [b] });
        expect((await store.getOutbox(b.id))?.attempts).toBe(0);
        expect(await store.markPushAttempted(b.id)).toBe(true);
        expect(await store.getOutbox(b.id)).toMatchObject({ status: 'pending', attempts: 1, replyAttempted: false });
        expect((await store.pendingOutbox(ALICE)).map((x) => x.id)).toEqual([b.id]);
        // A batch that is no longer pending is left as it is, and the caller told so.
        await store.markOutboxSent(b.id, 'push', T0 + 1);
        expect(await store.markPushAttempted(b.id)).toBe(false);
        expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', attempts: 1 });
        const c = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [c] });
        await store.cancelOutbox(c.id, 'user data deleted');
        expect(await store.markPushAttempted(c.id)).toBe(false);
        expect(await store.getOutbox(c.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
      });

      it("tells whether a push of a turn has been tried or sent, by the user and the turn's event", async () => {
        const [a, b] = [batch(ALICE, { proactive: true, eventId: 'timer:1' }), batch(ALICE, { proactive: true, eventId: 'timer:1' })];
        const answer = batch(ALICE, { eventId: 'EV-1' });
        await store.commitTurn({ userId: ALICE, outbox: [a, b, answer] });
        expect(await store.pushTurnStarted(ALICE, 'timer:1')).toBe(false);
        // An answer to the user's own message is not a push of a turn.
        await store.markOutboxFailed(answer.id, 'boom', false);
        expect(await store.pushTurnStarted(ALICE, 'EV-1')).toBe(false);
        await store.markPushAttempted(b.id);
        expect(await store.pushTurnStarted(ALICE, 'timer:1')).toBe(true);
        expect(await store.pushTurnStarted(BOB, 'timer:1')).toBe(false);
        expect(await store.pushTurnStarted(ALICE, 'timer:2')).toBe(false);
        const c = batch(ALICE, { proactive: true, eventId: 'timer:3' });
        await store.commitTurn({ userId: ALICE, outbox: [c] });
        await store.markOutboxSent(c.id, 'push', T0 + 1);
        expect(await store.pushTurnStarted(ALICE, 'timer:3')).toBe(true);
        // A push that failed for good may still have reached LINE: its turn counts as started.
        const d = batch(ALICE, { proactive: true, eventId: 'timer:4' });
        await store.commitTurn({ userId: ALICE, outbox: [d] });
        await store.markOutboxFailed(d.id, 'LINE push failed with 500', true);
        expect(await store.getOutbox(d.id)).toMatchObject({ status: 'failed' });
        expect(await store.pushTurnStarted(ALICE, 'timer:4')).toBe(true);
      });

      it('marks a batch sent, by reply or by push', async () => {
        const r = batch(ALICE);
        const p = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [r, p] });
        await store.markOutboxSent(r.id, 'reply', T0 + 1);
        await store.markOutboxSent(p.id, 'push', T0 + 2);
        expect(await store.getOutbox(r.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
        expect(await store.getOutbox(p.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
        expect(await store.pendingOutbox()).toEqual([]);
      });

      it('keeps a batch pending after a failure that will be retried, and fails it for good when told', async () => {
        const b = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [b] });
        await store.markOutboxFailed(b.id, 'LINE push failed with 503', false);
        expect(await store.getOutbox(b.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'LINE push failed with 503' });
        await store.markOutboxFailed(b.id, 'LINE push failed with 500', true);
        expect(await store.getOutbox(b.id)).toMatchObject({ status: 'failed', attempts: 2, lastError: 'LINE push failed with 500' });
        expect(await store.pendingOutbox()).toEqual([]);
      });

      it('answers a batch’s status alone, as it changes', async () => {
        const sent = batch(ALICE);
        const failed = batch(ALICE);
        const cancelled = batch(BOB);
        await store.commitTurn({ userId: ALICE, outbox: [sent, failed] });
        await store.commitTurn({ userId: BOB, outbox: [cancelled] });
        expect(await store.outboxStatus(sent.id)).toBe('pending');
        await store.markOutboxSent(sent.id, 'reply', T0 + 1);
        await store.markOutboxFailed(failed.id, 'LINE push failed with 500', true);
        await store.commitTurn({ userId: BOB, deleteUserData: true, conversation: null });
        expect(await store.outboxStatus(sent.id)).toBe('sent');
        expect(await store.outboxStatus(failed.id)).toBe('failed');
        expect(await store.outboxStatus(cancelled.id)).toBe('cancelled');
        expect(await store.outboxStatus(uuid())).toBeUndefined();
      });

      it('cancels one pending batch with its reason, and leaves a sent one as it is', async () => {
        const stale = batch(ALICE, { proactive: true });
        const next = batch(ALICE);
        const sent = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [stale, next, sent] });
        await store.markOutboxSent(sent.id, 'reply', T0 + 1);
        await store.cancelOutbox(stale.id, 'the conversation moved on');
        await store.cancelOutbox(sent.id, 'too late');
        await store.cancelOutbox(uuid(), 'no such batch');
        expect(await store.getOutbox(stale.id)).toMatchObject({ status: 'cancelled', lastError: 'the conversation moved on' });
        expect(await store.getOutbox(sent.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
        expect((await store.pendingOutbox(ALICE)).map((b) => b.id)).toEqual([next.id]);
      });

      it('does not bring a cancelled batch back when a send that was under way fails', async () => {
        const b = batch(ALICE);
        await store.commitTurn({ userId: ALICE, outbox: [b] });
        await store.commitTurn({ userId: ALICE, deleteUserData: true, conversation: null });
        await store.markOutboxFailed(b.id, 'LINE push failed with 503', false);
        expect((await store.getOutbox(b.id))?.status).toBe('cancelled');
        expect(await store.pendingOutbox()).toEqual([]);
      });
    });

    describe('countProactiveSentSince', () => {
      it('counts only proactive pushes that were sent, at or after the given time, for that user', async () => {
        const sentEarly = batch(ALICE, { proactive: true });
        const sentAtEdge = batch(ALICE, { proactive: true });
        const sentLate = batch(ALICE, { proactive: true });
        const answer = batch(ALICE);
        const pending = batch(ALICE, { proactive: true });
        const failed = batch(ALICE, { proactive: true });
        const bobs = batch(BOB, { proactive: true });
        await store.commitTurn({ userId: ALICE, outbox: [sentEarly, sentAtEdge, sentLate, answer, pending, failed] });
        await store.commitTurn({ userId: BOB, outbox: [bobs] });
        await store.markOutboxSent(sentEarly.id, 'push', T0 - 1);
        await store.markOutboxSent(sentAtEdge.id, 'push', T0);
        await store.markOutboxSent(sentLate.id, 'push', T0 + 3_600_000);
        await store.markOutboxSent(answer.id, 'reply', T0 + 10);
        await store.markOutboxFailed(failed.id, 'rejected', true);
        await store.markOutboxSent(bobs.id, 'push', T0 + 10);

        expect(await store.countProactiveSentSince(ALICE, T0)).toBe(2);
        expect(await store.countProactiveSentSince(ALICE, T0 - 10)).toBe(3);
        expect(await store.countProactiveSentSince(ALICE, T0 + 3_600_001)).toBe(0);
        expect(await store.countProactiveSentSince(BOB, 0)).toBe(1);
        expect(await store.countProactiveSentSince('Unobody', 0)).toBe(0);
      });
    });

    describe('timers', () => {
      it('lists pending timers by due time, and the due ones oldest first within a limit', async () => {
        const late = timer(ALICE, T0 + 3000);
        const early = timer(ALICE, T0 + 1000);
        const mid = timer(BOB, T0 + 2000);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [late, early] });
        await store.commitTurn({ userId: BOB, scheduleTimers: [mid] });

        expect((await store.pendingTimers(ALICE)).map((t) => t.id)).toEqual([early.id, late.id]);
        expect((await store.pendingTimers(ALICE))[0]).toEqual({ ...early, status: 'pending' });
        expect(await store.nextTimerDueAt()).toBe(T0 + 1000);
        expect(await store.dueTimers(T0 + 999, 10)).toEqual([]);
        expect((await store.dueTimers(T0 + 1000, 10)).map((t) => t.id)).toEqual([early.id]);
        expect((await store.dueTimers(T0 + 5000, 10)).map((t) => t.id)).toEqual([early.id, mid.id, late.id]);
        expect((await store.dueTimers(T0 + 5000, 2)).map((t) => t.id)).toEqual([early.id, mid.id]);
      });

      it('has no next due time without pending timers', async () => {
        expect(await store.nextTimerDueAt()).toBeUndefined();
        const t = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });
        await store.cancelTimer(t.id);
        expect(await store.nextTimerDueAt()).toBeUndefined();
      });

      it('fires a due timer exactly once, as a pending inbox event for its user', async () => {
        const t = timer(ALICE, T0 + 1000, { kind: 'checkIn', payload: { n: 2, note: 'あ' } });
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });

        expect(await store.fireTimer(t.id, T0 + 999)).toBeUndefined();
        const fired = await store.fireTimer(t.id, T0 + 1500);
        expect(fired).toEqual({
          eventId: `timer:${t.id}`,
          userId: ALICE,
          payload: { type: 'timer', timer: { id: t.id, kind: 'checkIn', dueAt: T0 + 1000, payload: { n: 2, note: 'あ' } } },
          receivedAt: T0 + 1500,
        });
        expect(await store.fireTimer(t.id, T0 + 2000)).toBeUndefined();
        expect(await store.pendingTimers(ALICE)).toEqual([]);
        expect(await store.dueTimers(T0 + 5000, 10)).toEqual([]);

        const row = await store.nextInboxRow(ALICE);
        expect(row).toMatchObject({ eventId: `timer:${t.id}`, status: 'pending', payload: fired!.payload });
        expect(await store.usersWithPendingInbox()).toEqual([ALICE]);
      });

      it('fires a timer once even when asked many times at once', async () => {
        const t = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });
        const results = await Promise.all(Array.from({ length: 8 }, () => store.fireTimer(t.id, T0 + 1)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.countPendingTimerEvents(ALICE)).toBe(1);
      });

      it('counts fired timers whose turn has not run yet', async () => {
        const t1 = timer(ALICE, T0);
        const t2 = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t1, t2] });
        await accept(event(ALICE));
        expect(await store.countPendingTimerEvents(ALICE)).toBe(0);
        await store.fireTimer(t1.id, T0);
        await store.fireTimer(t2.id, T0);
        expect(await store.countPendingTimerEvents(ALICE)).toBe(2);
        expect(await store.countPendingTimerEvents(BOB)).toBe(0);
        const row = await store.getInboxRow(`timer:${t1.id}`);
        await store.commitTurn({ userId: ALICE, inboxSeq: row!.seq });
        expect(await store.countPendingTimerEvents(ALICE)).toBe(1);
      });

      it('moves a pending timer to a new due time', async () => {
        const t = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });
        await store.rescheduleTimer(t.id, T0 + 10_000);
        expect(await store.fireTimer(t.id, T0 + 1)).toBeUndefined();
        expect(await store.dueTimers(T0 + 1, 10)).toEqual([]);
        expect(await store.nextTimerDueAt()).toBe(T0 + 10_000);
        expect(await store.fireTimer(t.id, T0 + 10_000)).toBeDefined();
      });

      it('never fires a cancelled timer, and does not revive it by moving it', async () => {
        const t = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });
        await store.cancelTimer(t.id);
        await store.rescheduleTimer(t.id, T0 + 1000);
        expect(await store.pendingTimers(ALICE)).toEqual([]);
        expect(await store.fireTimer(t.id, T0 + 5000)).toBeUndefined();
        expect(await store.nextInboxRow(ALICE)).toBeUndefined();
      });

      it('ignores cancelling or moving a timer that does not exist or already fired', async () => {
        await store.cancelTimer(uuid());
        await store.rescheduleTimer(uuid(), T0);
        const t = timer(ALICE, T0);
        await store.commitTurn({ userId: ALICE, scheduleTimers: [t] });
        await store.fireTimer(t.id, T0);
        await store.cancelTimer(t.id);
        await store.rescheduleTimer(t.id, T0 + 1000);
        expect(await store.fireTimer(t.id, T0 + 5000)).toBeUndefined();
        expect((await store.nextInboxRow(ALICE))?.eventId).toBe(`timer:${t.id}`);
      });
    });

    describe('pruneFinished', () => {
      const DAY = 24 * 3_600_000;
      const OLD = T0;
      const CUTOFF = T0 + 10 * DAY;
      const YOUNG = T0 + 20 * DAY;
      const LATER = T0 + 30 * DAY;

      /** An inbox row handled by a committed turn. */
      async function handled(userId: string, receivedAt: number) {
        const row = await accept(event(userId, 'おはようございます', receivedAt));
        await store.commitTurn({ userId, inboxSeq: row.seq });
        return row;
      }

      it('deletes finished records older than the cut-off, and nothing pending, younger or conversational', async () => {
        await store.commitTurn({ userId: ALICE, conversation: conversation(ALICE, 'call') });
        // Inbox: handled and parked go; pending and young stay.
        const oldDone = await handled(ALICE, OLD);
        const oldParked = await accept(event(ALICE, 'あ', OLD));
        await store.recordInboxFailure(oldParked.seq, 'boom', true);
        const oldPending = await accept(event(ALICE, 'い', OLD));
        // Outbox: sent, failed and cancelled go; pending, young and recently sent stay.
        const sent = batch(ALICE, { createdAt: OLD });
        const failed = batch(ALICE, { createdAt: OLD });
        const pending = batch(ALICE, { createdAt: OLD });
        const sentLate = batch(ALICE, { createdAt: OLD, proactive: true });
        await store.commitTurn({ userId: ALICE, outbox: [sent, failed, pending, sentLate] });
        await store.markOutboxSent(sent.id, 'reply', OLD + 1);
        await store.markOutboxFailed(failed.id, 'rejected', true);
        const cancelled = batch(BOB, { createdAt: OLD });
        await store.commitTurn({ userId: BOB, outbox: [cancelled] });
        await store.commitTurn({ userId: BOB, deleteUserData: true });
        // Timers: fired and cancelled go; pending (however old) and young stay.
        const fired = timer(ALICE, OLD + 1, { createdAt: OLD });
        const dropped = timer(ALICE, OLD + 2, { createdAt: OLD });
        const waiting = timer(ALICE, LATER * 2, { createdAt: OLD });
        const youngCancelled = timer(ALICE, YOUNG + 1, { createdAt: YOUNG });
        await store.commitTurn({ userId: ALICE, scheduleTimers: [fired, dropped, waiting, youngCancelled] });
        await store.fireTimer(fired.id, OLD + 1);
        const firedEvent = await store.getInboxRow(`timer:${fired.id}`);
        await store.commitTurn({ userId: ALICE, inboxSeq: firedEvent!.seq });
        await store.cancelTimer(dropped.id);
        await store.cancelTimer(youngCancelled.id);
        // Twenty days on.
        const youngDone = await handled(ALICE, YOUNG);
        const young = batch(ALICE, { createdAt: YOUNG });
        await store.commitTurn({ userId: ALICE, outbox: [young] });
        await store.markOutboxSent(young.id, 'reply', YOUNG);
        await store.markOutboxSent(sentLate.id, 'push', YOUNG);

        expect(await store.pruneFinished(CUTOFF, 100)).toEqual({ inbox: 3, outbox: 3, timers: 2 });

        expect(await store.getInboxRow(oldDone.eventId)).toBeUndefined();
        expect(await store.getInboxRow(oldParked.eventId)).toBeUndefined();
        expect(await store.getInboxRow(firedEvent!.eventId)).toBeUndefined();
        expect((await store.getInboxRow(oldPending.eventId))?.status).toBe('pending');
        expect((await store.getInboxRow(youngDone.eventId))?.status).toBe('done');
        expect(await store.getOutbox(sent.id)).toBeUndefined();
        expect(await store.getOutbox(failed.id)).toBeUndefined();
        expect(await store.getOutbox(cancelled.id)).toBeUndefined();
        expect((await store.getOutbox(pending.id))?.status).toBe('pending');
        expect((await store.getOutbox(sentLate.id))?.status).toBe('sent');
        expect((await store.getOutbox(young.id))?.status).toBe('sent');
        // The daily cap still sees the push sent within the day.
        expect(await store.countProactiveSentSince(ALICE, YOUNG)).toBe(1);
        expect((await store.pendingTimers(ALICE)).map((t) => t.id)).toEqual([waiting.id]);
        expect(await store.loadConversation(ALICE)).toEqual(conversation(ALICE, 'call'));
        // Nothing more to do at the same cut-off; a later one takes what has aged since.
        expect(await store.pruneFinished(CUTOFF, 100)).toEqual({ inbox: 0, outbox: 0, timers: 0 });
        expect(await store.pruneFinished(LATER, 100)).toEqual({ inbox: 1, outbox: 2, timers: 1 });
        expect((await store.getInboxRow(oldPending.eventId))?.status).toBe('pending');
        expect((await store.getOutbox(pending.id))?.status).toBe('pending');
        expect((await store.pendingTimers(ALICE)).map((t) => t.id)).toEqual([waiting.id]);
      });

      it('still recognises a redelivered event it has kept, and forgets one it has deleted', async () => {
        const old = await handled(ALICE, OLD);
        const kept = await handled(ALICE, YOUNG);
        await store.pruneFinished(CUTOFF, 100);
        const { accepted, duplicates } = await store.acceptEvents([
          { eventId: kept.eventId, userId: ALICE, payload: kept.payload, receivedAt: LATER },
          { eventId: old.eventId, userId: ALICE, payload: old.payload, receivedAt: LATER },
        ]);
        expect(duplicates).toBe(1);
        expect(accepted.map((e) => e.eventId)).toEqual([old.eventId]);
      });

      it('deletes at most `limit` rows per table per call', async () => {
        for (let i = 0; i < 5; i++) await handled(ALICE, OLD + i);
        const batches = Array.from({ length: 3 }, () => batch(ALICE, { createdAt: OLD }));
        await store.commitTurn({ userId: ALICE, outbox: batches });
        for (const b of batches) await store.markOutboxSent(b.id, 'reply', OLD);
        expect(await store.pruneFinished(CUTOFF, 2)).toEqual({ inbox: 2, outbox: 2, timers: 0 });
        expect(await store.pruneFinished(CUTOFF, 2)).toEqual({ inbox: 2, outbox: 1, timers: 0 });
        expect(await store.pruneFinished(CUTOFF, 2)).toEqual({ inbox: 1, outbox: 0, timers: 0 });
        expect(await store.pruneFinished(CUTOFF, 2)).toEqual({ inbox: 0, outbox: 0, timers: 0 });
      });

      it('never deletes a young record, even one stored before older ones (a clock set back)', async () => {
        const young = await handled(ALICE, YOUNG);
        const old = await handled(ALICE, OLD);
        const r = await store.pruneFinished(CUTOFF, 100);
        expect((await store.getInboxRow(young.eventId))?.status).toBe('done');
        // The old one may wait for the young one to age; it is gone once both are past the cut-off.
        expect(r.inbox).toBeLessThanOrEqual(1);
        await store.pruneFinished(LATER, 100);
        expect(await store.getInboxRow(young.eventId)).toBeUndefined();
        expect(await store.getInboxRow(old.eventId)).toBeUndefined();
      });
    });

    it('answers ping by writing (and again after writes)', async () => {
      await store.ping();
      await store.acceptEvents([event(ALICE)]);
      await store.ping();
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
