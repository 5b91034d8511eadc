/**
 * The runtime computes each turn with XState's pure transition(), without an actor: the effects of a
 * new conversation's entry and of the event are both carried out, the persisted snapshot restores
 * to the state it left, and a machine that fails or tries a side effect of its own fails the turn
 * (the event stays pending for the dispatcher's retry) instead of committing half of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import type { ConversationEvent, Effect } from '../../src/conversation/kit/events.ts';
import type { ConversationMachine } from '../../src/conversation/machine.ts';
import { createConversationRuntime } from '../../src/conversation/runtime.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { InboxRow, Store } from '../../src/store/ports.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { createLogCapture } from '../support/harness.ts';

const USER = 'U0123456789abcdef0123456789abcdef';
const VERSION = 7;
const say = (text: string): Effect => ({ type: 'reply', messages: [{ type: 'text', text }] }) as Effect;

function counter(options: { guard?: () => boolean; extraAction?: boolean } = {}) {
  return setup({
    types: { context: {} as { count: number }, events: {} as ConversationEvent, emitted: {} as Effect },
    guards: { ok: options.guard ?? (() => true) },
    actions: { sideEffect: () => undefined },
  }).createMachine({
    context: { count: 0 },
    initial: 'situation',
    states: {
      situation: {
        entry: emit(say('ようこそ')),
        on: {
          TEXT: {
            guard: 'ok',
            target: 'call',
            actions: [
              emit(({ event }) => say(`「${(event as { text: string }).text}」ですね`)),
              ...(options.extraAction ? (['sideEffect'] as const) : []),
            ],
          },
        },
      },
      call: { entry: emit(say('電話の準備をしましょう')), on: { TEXT: { actions: emit(say('続けます')) } } },
    },
  });
}

describe('a turn without an actor', () => {
  let store: Store;
  const clock = createFakeClock('2026-12-01T10:00');
  let seq = 0;

  beforeEach(() => {
    store = createSqliteStore('file::memory:');
  });
  afterEach(() => store.close());

  function runtimeFor(machine: unknown) {
    const log = createLogger({ level: 'debug', pretty: false, destination: createLogCapture().stream });
    return createConversationRuntime({ store, machine: machine as ConversationMachine, clock, log, machineVersion: VERSION });
  }

  async function textRow(text: string): Promise<InboxRow> {
    seq += 1;
    const eventId = `01TESTEVENT${String(seq).padStart(15, '0')}`;
    const payload = {
      type: 'message',
      webhookEventId: eventId,
      timestamp: clock.now().getTime(),
      source: { type: 'user', userId: USER },
      replyToken: `token-${seq}`,
      mode: 'active',
      deliveryContext: { isRedelivery: false },
      message: { type: 'text', id: String(seq), quoteToken: 'q', text },
    };
    await store.acceptEvents([{ eventId, userId: USER, payload, receivedAt: clock.now().getTime() }]);
    return (await store.nextInboxRow(USER))!;
  }

  const texts = (batches: Awaited<ReturnType<Store['pendingOutbox']>>) =>
    batches.flatMap((b) => b.messages.map((m) => (m as { text: string }).text));

  it("carries out a new conversation's entry effects and the event's, in order, and saves where it went", async () => {
    const runtime = runtimeFor(counter());
    const result = await runtime.handle(await textRow('こんにちは'));
    expect(texts(await store.pendingOutbox(USER))).toEqual(['ようこそ', '「こんにちは」ですね', '電話の準備をしましょう']);
    expect(result.effects.map((e) => e.type)).toEqual(['reply', 'reply', 'reply']);
    const saved = await store.loadConversation(USER);
    expect(saved).toMatchObject({ machineVersion: VERSION, stage: 'call' });
  });

  it('restores the persisted snapshot for the next event (no entry effects again)', async () => {
    const runtime = runtimeFor(counter());
    await runtime.handle(await textRow('一通目'));
    const first = (await store.pendingOutbox(USER)).map((b) => b.id);
    await runtime.handle(await textRow('二通目'));
    const second = (await store.pendingOutbox(USER)).filter((b) => !first.includes(b.id));
    expect(texts(second)).toEqual(['続けます']);
  });

  it('fails the turn when a guard throws: nothing is committed and the event stays pending', async () => {
    const runtime = runtimeFor(
      counter({
        guard: () => {
          throw new Error('guard broke');
        },
      }),
    );
    const row = await textRow('こんにちは');
    await expect(runtime.handle(row)).rejects.toThrow(/guard broke/);
    expect(await store.pendingOutbox(USER)).toEqual([]);
    expect(await store.loadConversation(USER)).toBeUndefined();
    expect((await store.getInboxRow(row.eventId))?.status).toBe('pending');
  });

  it('fails the turn when the machine tries an action of its own instead of emitting an effect', async () => {
    const runtime = runtimeFor(counter({ extraAction: true }));
    const row = await textRow('こんにちは');
    await expect(runtime.handle(row)).rejects.toThrow(/impure action: sideEffect/);
    expect(await store.pendingOutbox(USER)).toEqual([]);
  });
});
