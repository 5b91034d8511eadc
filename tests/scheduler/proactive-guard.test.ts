/**
 * The runtime's backstop for proactive pushes: whatever the machine does with a TIMER event, a user
 * who turned notifications off, or whose data is gone (データ削除, unfollow), gets no push. A tiny
 * stand-in machine that always answers timers plays the misbehaving conversation.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, emit, setup } from 'xstate';
import type { ConversationEvent, Effect } from '../../src/conversation/kit/events.ts';
import type { ConversationMachine } from '../../src/conversation/machine.ts';
import { createConversationRuntime } from '../../src/conversation/runtime.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { InboxRow, Store } from '../../src/store/ports.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { createLogCapture } from '../support/harness.ts';

const USER = 'U0123456789abcdef0123456789abcdef';
const VERSION = 99;

const pushy = setup({
  types: {
    context: {} as { notifications: boolean },
    events: {} as ConversationEvent,
    input: {} as { notifications?: boolean },
    emitted: {} as Effect,
  },
}).createMachine({
  context: ({ input }) => ({ notifications: input.notifications ?? true }),
  initial: 'call',
  states: { call: { on: { TIMER: { actions: emit({ type: 'reply', messages: [{ type: 'text', text: 'リマインドです' }] }) } } } },
});

describe('proactive pushes from timer turns', () => {
  let store: Store;
  let logs: ReturnType<typeof createLogCapture>;
  let runtime: ReturnType<typeof createConversationRuntime>;
  const clock = createFakeClock('2026-12-01T10:00');

  beforeEach(() => {
    store = createSqliteStore('file::memory:');
    logs = createLogCapture();
    const log = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
    runtime = createConversationRuntime({ store, machine: pushy as unknown as ConversationMachine, clock, log, machineVersion: VERSION });
  });
  afterEach(() => store.close());

  async function saveConversation(notifications: boolean) {
    const actor = createActor(pushy, { input: { notifications } });
    actor.start();
    const snapshot = actor.getPersistedSnapshot();
    actor.stop();
    await store.commitTurn({ userId: USER, conversation: { userId: USER, machineVersion: VERSION, stage: 'call', snapshot, updatedAt: 0 } });
  }

  async function firedTimerRow(): Promise<InboxRow> {
    const id = randomUUID();
    await store.commitTurn({ userId: USER, scheduleTimers: [{ id, userId: USER, kind: 'callReminder', dueAt: 0, payload: null, createdAt: 0 }] });
    await store.fireTimer(id, clock.now().getTime());
    return (await store.nextInboxRow(USER))!;
  }

  it('marks the batch of a timer turn as a proactive push', async () => {
    await saveConversation(true);
    await runtime.handle(await firedTimerRow());
    const batches = await store.pendingOutbox(USER);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ proactive: true, messages: [{ type: 'text', text: 'リマインドです' }] });
    expect(batches[0]!.replyToken).toBeUndefined();
  });

  it('ties the push to its timer event: the sender can tell whether the user wrote after it', async () => {
    await saveConversation(true);
    const row = await firedTimerRow();
    await runtime.handle(row);
    const [batch] = await store.pendingOutbox(USER);
    expect(batch).toMatchObject({ eventId: row.eventId, createdAt: clock.now().getTime() });
  });

  it('sends nothing to a user who turned notifications off, even if the machine tries', async () => {
    await saveConversation(false);
    const row = await firedTimerRow();
    await runtime.handle(row);
    expect(await store.pendingOutbox(USER)).toEqual([]);
    expect((await store.getInboxRow(row.eventId))?.status).toBe('done');
    expect(logs.records().some((r) => r.level === 40 && r.msg === 'a timer turn tried to push to a user with notifications off; nothing sent')).toBe(true);
  });

  it('sends nothing, and starts no conversation, for a user whose data is gone', async () => {
    const row = await firedTimerRow();
    await runtime.handle(row);
    expect(await store.pendingOutbox(USER)).toEqual([]);
    expect(await store.loadConversation(USER)).toBeUndefined();
    expect((await store.getInboxRow(row.eventId))?.status).toBe('done');
    expect(logs.records().some((r) => r.msg === 'timer for a user with no conversation; nothing sent')).toBe(true);
  });
});
