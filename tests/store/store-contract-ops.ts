/**
 * The operations part of the Store contract (run by `runStoreContract` for every adapter): the
 * backlog and stage counts the metrics read, and the stage funnel the store writes by itself as
 * turns commit and pushes are sent, and deletes with the user's data.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewOutboxBatch, Store, StoredConversation } from '../../src/store/ports.ts';

const T0 = Date.parse('2026-12-01T01:00:00Z');
const MIN = 60_000;
let n = 0;
const uuid = () => `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`;
const user = (name: string) => `U${name.padEnd(32, '0')}`;

function conv(userId: string, stage: string, at: number): StoredConversation {
  return { userId, machineVersion: 1, stage, snapshot: { value: stage, context: {} }, updatedAt: at };
}

function message(userId: string, at: number, type = 'message') {
  return { eventId: `OPS${++n}`, userId, payload: { type, source: { type: 'user', userId }, message: { type: 'text', text: '秘密の話' } }, receivedAt: at };
}

export function runOpsStoreContract(makeStore: () => Store | Promise<Store>): void {
  describe('operations', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** A user event answered by a turn that leaves the user in `stage`. */
    async function turn(userId: string, stage: string, at: number, opts: { outbox?: NewOutboxBatch[]; type?: string; deleteUserData?: boolean } = {}) {
      const e = message(userId, at, opts.type);
      await store.acceptEvents([e]);
      const row = (await store.getInboxRow(e.eventId))!;
      await store.commitTurn({ userId, inboxSeq: row.seq, conversation: opts.deleteUserData ? null : conv(userId, stage, at), ...(opts.outbox ? { outbox: opts.outbox } : {}), ...(opts.deleteUserData ? { deleteUserData: true } : {}) });
    }

    it('reports the inbox backlog and its oldest pending event', async () => {
      expect(await store.inboxBacklog()).toEqual({ pending: 0 });
      await store.acceptEvents([message(user('a'), T0 + 5 * MIN), message(user('b'), T0 + 2 * MIN)]);
      expect(await store.inboxBacklog()).toEqual({ pending: 2, oldestReceivedAt: T0 + 2 * MIN });
      const row = (await store.nextInboxRow(user('b')))!;
      await store.commitTurn({ userId: user('b'), inboxSeq: row.seq });
      expect(await store.inboxBacklog()).toEqual({ pending: 1, oldestReceivedAt: T0 + 5 * MIN });
    });

    it('reports timers due and the oldest due time', async () => {
      const u = user('t');
      await store.commitTurn({
        userId: u,
        scheduleTimers: [
          { id: uuid(), userId: u, kind: 'k', dueAt: T0, payload: null, createdAt: T0 },
          { id: uuid(), userId: u, kind: 'k', dueAt: T0 + 10 * MIN, payload: null, createdAt: T0 },
          { id: uuid(), userId: u, kind: 'k', dueAt: T0 + 60 * MIN, payload: null, createdAt: T0 },
        ],
      });
      expect(await store.timerBacklog(T0 - 1)).toEqual({ due: 0 });
      expect(await store.timerBacklog(T0 + 30 * MIN)).toEqual({ due: 2, oldestDueAt: T0 });
    });

    it('counts conversations per stage', async () => {
      await turn(user('a'), 'situation', T0);
      await turn(user('b'), 'situation', T0);
      await turn(user('c'), 'call', T0);
      expect(await store.conversationsByStage()).toEqual({ situation: 2, call: 1 });
      expect((await store.conversationStages()).map((c) => [c.userId, c.stage])).toEqual([
        [user('a'), 'situation'],
        [user('b'), 'situation'],
        [user('c'), 'call'],
      ]);
    });

    it('records each change of the stored stage, and no row for a turn that stays', async () => {
      const u = user('f');
      await turn(u, 'situation', T0);
      await turn(u, 'situation', T0 + MIN);
      await turn(u, 'preparation', T0 + 2 * MIN);
      await turn(u, 'call', T0 + 3 * MIN);
      expect(await store.funnelRecords()).toEqual([
        { userId: u, scenario: 'missed-call', kind: 'stage', to: 'situation', at: T0 },
        { userId: u, scenario: 'missed-call', kind: 'stage', from: 'situation', to: 'preparation', at: T0 + 2 * MIN },
        { userId: u, scenario: 'missed-call', kind: 'stage', from: 'preparation', to: 'call', at: T0 + 3 * MIN },
      ]);
    });

    it('records a proactive push once it is sent, and the user’s first message after it', async () => {
      const u = user('p');
      await turn(u, 'followUp', T0);
      const push: NewOutboxBatch = { id: uuid(), userId: u, messages: [{ type: 'text', text: 'その後いかがですか' }], proactive: true, createdAt: T0 + 60 * MIN };
      await store.commitTurn({ userId: u, outbox: [push] });
      expect((await store.funnelRecords()).filter((r) => r.kind === 'push')).toEqual([]);
      await store.markOutboxSent(push.id, 'push', T0 + 61 * MIN);
      await store.markOutboxSent(push.id, 'push', T0 + 61 * MIN); // a repeated mark is no second push
      // An answer (not proactive) is no push.
      const answer: NewOutboxBatch = { id: uuid(), userId: u, messages: [{ type: 'text', text: 'はい' }], proactive: false, createdAt: T0 + 62 * MIN };
      await turn(u, 'followUp', T0 + 90 * MIN, { outbox: [answer] });
      await store.markOutboxSent(answer.id, 'reply', T0 + 90 * MIN);
      await turn(u, 'lessons', T0 + 95 * MIN);
      const records = (await store.funnelRecords()).filter((r) => r.at > T0);
      expect(records).toEqual([
        { userId: u, scenario: 'missed-call', kind: 'push', to: 'followUp', at: T0 + 61 * MIN },
        { userId: u, scenario: 'missed-call', kind: 'reply', to: 'followUp', at: T0 + 90 * MIN },
        { userId: u, scenario: 'missed-call', kind: 'stage', from: 'followUp', to: 'lessons', at: T0 + 95 * MIN },
      ]);
    });

    it('records the scenario the conversation names, else the first one', async () => {
      const u = user('s');
      await turn(u, 'situation', T0);
      const e = message(u, T0 + MIN);
      await store.acceptEvents([e]);
      const row = (await store.getInboxRow(e.eventId))!;
      await store.commitTurn({ userId: u, inboxSeq: row.seq, conversation: { userId: u, machineVersion: 1, stage: 'followUp', snapshot: { value: 'followUp', context: { scenario: 'waiting' } }, updatedAt: T0 + MIN } });
      expect((await store.funnelRecords()).map((r) => [r.scenario, r.to])).toEqual([
        ['missed-call', 'situation'],
        ['waiting', 'followUp'],
      ]);
    });

    it('keeps no message text in the funnel', async () => {
      await turn(user('x'), 'situation', T0);
      expect(JSON.stringify(await store.funnelRecords())).not.toContain('秘密');
    });

    it('deletes a user’s funnel records with their data, and no one else’s', async () => {
      await turn(user('d'), 'situation', T0);
      await turn(user('d'), 'call', T0 + MIN);
      await turn(user('e'), 'situation', T0);
      await turn(user('d'), 'call', T0 + 2 * MIN, { deleteUserData: true });
      expect((await store.funnelRecords()).map((r) => r.userId)).toEqual([user('e')]);
    });
  });
}
