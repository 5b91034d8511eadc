import { randomUUID } from 'node:crypto';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { Logger } from '../log/create-logger.ts';
import { eventLogger, type EventLogger } from '../log/event-logger.ts';
import type { Clock } from '../time/clock.ts';
import type { InboxRow, NewOutboxBatch, Store, Turn } from '../store/ports.ts';
import type { ConversationEvent, Effect, StageName } from './events.ts';
import { MACHINE_VERSION, stageOf, type ConversationContext, type ConversationMachine } from './machine.ts';
import { replyTokenOf, toConversationEvent } from './to-event.ts';
import { inTurn } from './turn-memo.ts';

export interface RuntimeOptions {
  store: Store;
  machine: ConversationMachine;
  clock: Clock;
  log: Logger;
  machineVersion?: number;
}

export interface TurnResult {
  userId: string;
  event: ConversationEvent | undefined;
  effects: Effect[];
  /** The stage after the turn, and before it: lets the rich menu follow the user. */
  stage: StageName | undefined;
  previousStage: StageName | undefined;
}

const MAX_MESSAGES_PER_REQUEST = 5;

type ConversationSnapshot = SnapshotFrom<ConversationMachine>;

/**
 * The effects among the actions of a transition. XState's own actions (assign, raise …) are already
 * applied to the snapshot; an action of the machine's own would be a side effect the pure machine
 * must not have, so it fails the turn instead of being skipped.
 */
function collectEffects(actions: ReadonlyArray<{ type: string; params?: unknown }>, effects: Effect[]): void {
  for (const action of actions) {
    if (action.type === 'xstate.emit') effects.push((action.params as { event: Effect }).event);
    else if (!action.type.startsWith('xstate.')) throw new Error(`conversation machine ran an impure action: ${action.type}`);
  }
}

/**
 * Runs one inbox event through the user's conversation: restore the snapshot, send the event,
 * collect the effects the machine emitted, and make it all durable in one transaction.
 */
export function createConversationRuntime(opts: RuntimeOptions) {
  const log = opts.log.child({ module: 'runtime' });
  const version = opts.machineVersion ?? MACHINE_VERSION;

  /**
   * The user's snapshot before this event, and the effects emitted on the way to it (a new
   * conversation's entry). No actor is created: the machine is pure, so XState's `transition()`
   * computes the next snapshot and the actions, and the runtime carries out the effects itself.
   */
  function restore(stored: Awaited<ReturnType<Store['loadConversation']>>, effects: Effect[], elog: EventLogger, at: number): ConversationSnapshot {
    if (stored && stored.machineVersion === version) {
      try {
        const snap = stored.snapshot as { value?: unknown; context?: unknown; status?: unknown } | null;
        if (!snap || typeof snap.context !== 'object' || snap.context === null) throw new Error('snapshot has no context');
        if (snap.status !== undefined && snap.status !== 'active') throw new Error(`snapshot is ${String(snap.status)}`);
        // Throws for a state value this machine doesn't have.
        return opts.machine.resolveState({ value: snap.value as never, context: snap.context as never });
      } catch (err) {
        elog.warn({ err }, 'stored conversation could not be restored; restarting its stage');
      }
    }
    // No snapshot, or one from another machine version: start over, in the stage the user was in.
    const previous = stored ? profileFrom(stored.snapshot) : {};
    const resumeStage = stored ? stageOf(stored.stage) : undefined;
    if (stored) elog.info({ from: stored.machineVersion, to: version, stage: resumeStage }, 'conversation restarted after a machine upgrade');
    const [snapshot, actions] = initialTransition(opts.machine, { at, ...(resumeStage ? { resumeStage } : {}), ...previous });
    collectEffects(actions, effects);
    return snapshot;
  }

  async function handle(row: InboxRow): Promise<TurnResult> {
    const elog = eventLogger(log, { webhookEventId: row.eventId, userId: row.userId });
    const event = toConversationEvent(row.payload, row.receivedAt);
    if (!event) {
      elog.debug({ type: (row.payload as { type?: string }).type }, 'event has nothing for the conversation; acknowledged');
      await opts.store.commitTurn({ userId: row.userId, inboxSeq: row.seq });
      return { userId: row.userId, event, effects: [], stage: undefined, previousStage: undefined };
    }
    if (event.type === 'TEXT') elog.debug({ text: event.text }, 'text received');

    const stored = await opts.store.loadConversation(row.userId);
    if (event.type === 'TIMER' && !stored) {
      // Timers are stored with a conversation and deleted with it: none left means the user deleted
      // their data or unfollowed after this timer fired. It has nobody to speak to.
      elog.info({ timerId: event.timer.id, kind: event.timer.kind }, 'timer for a user with no conversation; nothing sent');
      await opts.store.commitTurn({ userId: row.userId, inboxSeq: row.seq });
      return { userId: row.userId, event, effects: [], stage: undefined, previousStage: undefined };
    }
    const effects: Effect[] = [];
    const snapshot = inTurn(() => {
      const before = restore(stored, effects, elog, event.at);
      const [after, actions] = transition(opts.machine, before, event);
      collectEffects(actions, effects);
      return after;
    });
    if (snapshot.status === 'error') throw new Error(`conversation machine failed: ${String(snapshot.error)}`);
    const persisted = opts.machine.getPersistedSnapshot(snapshot);

    const now = opts.clock.now().getTime();
    const stage = stageOf(snapshot.value);
    const deleteUserData = effects.some((e) => e.type === 'deleteUserData');
    let outbox = toBatches(row, event, effects, now);
    // The machine decides; this is the backstop: notifications off means no proactive push, ever.
    if (event.type === 'TIMER' && outbox.length > 0 && (snapshot.context as { notifications?: unknown }).notifications === false) {
      elog.warn({ timerId: event.timer.id, kind: event.timer.kind }, 'a timer turn tried to push to a user with notifications off; nothing sent');
      outbox = [];
    }
    const turn: Turn = {
      userId: row.userId,
      inboxSeq: row.seq,
      deleteUserData,
      conversation: deleteUserData
        ? null
        : { userId: row.userId, machineVersion: version, stage: stage ?? String(snapshot.value), snapshot: persisted, updatedAt: now },
      outbox,
      scheduleTimers: effects.flatMap((e) =>
        e.type === 'schedule'
          ? [{ id: randomUUID(), userId: row.userId, kind: e.kind, dueAt: e.dueAt, payload: e.payload ?? null, createdAt: now }]
          : [],
      ),
    };
    const cancels = effects.flatMap((e) => (e.type === 'cancel' ? [e.kinds] : []));
    if (cancels.includes('all')) turn.cancelTimers = 'all';
    else if (cancels.length > 0) turn.cancelTimers = { kinds: cancels.flat() as string[] };
    await opts.store.commitTurn(turn);
    elog.debug({ event: event.type, stage, effects: effects.map((e) => e.type) }, 'turn committed');
    return { userId: row.userId, event, effects, stage, previousStage: stored ? stageOf(stored.stage) : undefined };
  }

  return { handle };
}

function toBatches(row: InboxRow, event: ConversationEvent, effects: Effect[], now: number): NewOutboxBatch[] {
  const messages = effects.flatMap((e) => (e.type === 'reply' ? e.messages : []));
  if (messages.length === 0) return [];
  const replyToken = replyTokenOf(row.payload as never);
  const batches: NewOutboxBatch[] = [];
  for (let i = 0; i < messages.length; i += MAX_MESSAGES_PER_REQUEST) {
    const first = i === 0;
    batches.push({
      id: randomUUID(),
      userId: row.userId,
      eventId: row.eventId,
      messages: messages.slice(i, i + MAX_MESSAGES_PER_REQUEST),
      // Only the first batch can use the (single-use) reply token; the rest go by push.
      ...(first && replyToken ? { replyToken, replyTokenAt: row.receivedAt } : {}),
      proactive: event.type === 'TIMER',
      createdAt: now,
    });
  }
  return batches;
}

/** Pulls what the user told us out of an old snapshot, if it has the shape we know. */
function profileFrom(snapshot: unknown): Partial<Pick<ConversationContext, 'profile' | 'notifications'>> {
  const context = (snapshot as { context?: Partial<ConversationContext> } | undefined)?.context;
  if (!context || typeof context !== 'object') return {};
  return {
    ...(context.profile && typeof context.profile === 'object' ? { profile: context.profile } : {}),
    ...(typeof context.notifications === 'boolean' ? { notifications: context.notifications } : {}),
  };
}
