import { randomUUID } from 'node:crypto';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { Logger } from '../log/create-logger.ts';
import { eventLogger, type EventLogger } from '../log/event-logger.ts';
import type { Clock } from '../time/clock.ts';
import type { InboxRow, NewOutboxBatch, Store, Turn } from '../store/ports.ts';
import { LeaveEventError } from '../inbox/dispatcher.ts';
import type { ConversationEvent, Effect, StageName } from './kit/events.ts';
import { MACHINE_VERSION, stageOf, type ConversationContext, type ConversationMachine } from './machine.ts';
import { replyTokenOf, toConversationEvent } from './to-event.ts';
import { inTurn } from './turn-memo.ts';
import { chatKindOf, messageIdOf, profileChanges, unsentMessageIdOf, withoutMessageDetails } from './side-events.ts';

export interface RuntimeOptions {
  store: Store;
  machine: ConversationMachine;
  clock: Clock;
  log: Logger;
  machineVersion?: number;
  /**
   * Said once, when Akari is added to a group or a room: it counsels in one-to-one chats only, so
   * it says nothing else there (flows: texts.groupNotice). Undefined: silent there too.
   */
  groupNotice?: string;
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

  /**
   * A group or a room: no counselling there (it is personal, and the greeting would go to everyone).
   * Akari says so once, in answer to the `join` LINE sends when it is added; everything else in a
   * shared chat is acknowledged without a word.
   */
  async function handleSharedChat(row: InboxRow, elog: EventLogger, store: Store): Promise<TurnResult> {
    const type = (row.payload as { type?: unknown }).type;
    const replyToken = replyTokenOf(row.payload as never);
    const outbox: NewOutboxBatch[] =
      type === 'join' && opts.groupNotice
        ? [
            {
              id: randomUUID(),
              userId: row.userId,
              eventId: row.eventId,
              messages: [{ type: 'text', text: opts.groupNotice }],
              ...(replyToken ? { replyToken, replyTokenAt: row.receivedAt } : {}),
              proactive: false,
              createdAt: opts.clock.now().getTime(),
            },
          ]
        : [];
    elog.debug({ type, chat: chatKindOf(row.payload), notice: outbox.length > 0 }, 'event in a group or room: no counselling there');
    // What people wrote to each other there is none of Akari's business: its text is not kept (nor
    // that of a message unsent there).
    const forget = messageIdOf(row.payload) ?? unsentMessageIdOf(row.payload);
    await store.commitTurn({ userId: row.userId, inboxSeq: row.seq, outbox, ...(forget ? { forgetMessage: forget } : {}) });
    return { userId: row.userId, event: undefined, effects: [], stage: undefined, previousStage: undefined };
  }

  /**
   * The user unsent a message: its text leaves the inbox, Akari's stored answer to it is emptied,
   * and the details only that message gave are taken out of the conversation, all in one turn.
   * Akari says nothing about it (LINE has already taken the message away from the chat).
   */
  async function handleUnsend(row: InboxRow, messageId: string, elog: EventLogger, store: Store): Promise<TurnResult> {
    const found = await store.messageDetails(row.userId, messageId);
    const stored = await store.loadConversation(row.userId);
    const turn: Turn = { userId: row.userId, inboxSeq: row.seq, forgetMessage: messageId };
    const snapshot = stored?.snapshot as { context?: { profile?: Record<string, unknown> } } | undefined;
    let forgotten: string[] = [];
    if (found?.details && stored && snapshot?.context?.profile) {
      const result = withoutMessageDetails(snapshot.context.profile, found.details);
      forgotten = result.forgotten;
      if (forgotten.length > 0) {
        const next = { ...snapshot, context: { ...snapshot.context, profile: result.profile } };
        turn.conversation = { ...stored, snapshot: next, updatedAt: opts.clock.now().getTime() };
      }
    }
    await store.commitTurn(turn);
    elog.info({ found: found !== undefined, forgotten }, 'message unsent: its text and what Akari took only from it are forgotten');
    return { userId: row.userId, event: undefined, effects: [], stage: undefined, previousStage: undefined };
  }

  /** `store`: where the turn reads and commits (on a shared store, the turn's own transaction). */
  async function handle(row: InboxRow, store: Store = opts.store): Promise<TurnResult> {
    const elog = eventLogger(log, { webhookEventId: row.eventId, userId: row.userId });
    const chat = chatKindOf(row.payload);
    if (chat === 'group' || chat === 'room') return handleSharedChat(row, elog, store);
    const unsent = unsentMessageIdOf(row.payload);
    if (unsent) return handleUnsend(row, unsent, elog, store);
    const event = toConversationEvent(row.payload, row.receivedAt);
    if (!event) {
      elog.debug({ type: (row.payload as { type?: string }).type }, 'event has nothing for the conversation; acknowledged');
      await store.commitTurn({ userId: row.userId, inboxSeq: row.seq });
      return { userId: row.userId, event, effects: [], stage: undefined, previousStage: undefined };
    }
    if (event.type === 'TEXT') elog.debug({ text: event.text }, 'text received');

    const stored = await store.loadConversation(row.userId);
    if (stored && stored.machineVersion > version && opts.store.shared) {
      // A rolling deploy: a newer release wrote this conversation. Restarting its stage here would
      // undo the user's progress; an instance of that release (or newer) takes the event instead.
      throw new NewerSnapshotError(stored.machineVersion, version);
    }
    if (event.type === 'TIMER' && !stored) {
      // Timers are stored with a conversation and deleted with it: none left means the user deleted
      // their data or unfollowed after this timer fired. It has nobody to speak to.
      elog.info({ timerId: event.timer.id, kind: event.timer.kind }, 'timer for a user with no conversation; nothing sent');
      await store.commitTurn({ userId: row.userId, inboxSeq: row.seq });
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
    // What a message changed in the profile, kept with it: undone if the user unsends the message.
    if (event.type === 'TEXT' && !deleteUserData && messageIdOf(row.payload)) {
      const details = profileChanges(
        (stored?.snapshot as { context?: { profile?: unknown } } | undefined)?.context?.profile,
        (persisted as { context?: { profile?: unknown } }).context?.profile,
      );
      if (details) turn.messageDetails = details;
    }
    const cancels = effects.flatMap((e) => (e.type === 'cancel' ? [e.kinds] : []));
    if (cancels.includes('all')) turn.cancelTimers = 'all';
    else if (cancels.length > 0) turn.cancelTimers = { kinds: cancels.flat() as string[] };
    await store.commitTurn(turn);
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

/** The user's conversation was written by a newer machine version than this instance runs. */
export class NewerSnapshotError extends LeaveEventError {
  constructor(
    readonly snapshotVersion: number,
    readonly ownVersion: number,
  ) {
    super('the conversation was written by a newer machine version', { snapshotVersion, ownVersion });
    this.name = 'NewerSnapshotError';
  }
}
