/**
 * The store's ports. Every adapter (SQLite now, PostgreSQL later) implements `Store` and must pass
 * the contract suite in tests/store/store-contract.ts. Methods are async so that a networked
 * adapter fits the same shape; `commitTurn` is the one place where a conversation step becomes
 * durable, all at once.
 */

export type InboxStatus = 'pending' | 'done' | 'parked';

export interface InboxEvent {
  /** LINE's webhookEventId, or `timer:<id>` for a fired timer: unique, so redeliveries are dropped. */
  eventId: string;
  userId: string;
  payload: unknown;
  receivedAt: number;
}

export interface InboxRow extends InboxEvent {
  seq: number;
  attempts: number;
  status: InboxStatus;
  lastError?: string;
}

export interface StoredConversation {
  userId: string;
  machineVersion: number;
  /** The stage the user was in: used to restart it politely if the snapshot can't be restored. */
  stage: string;
  snapshot: unknown;
  updatedAt: number;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface NewOutboxBatch {
  /** Stable id; doubles as the X-Line-Retry-Key of a push. A UUID. */
  id: string;
  userId: string;
  /** The inbox event this batch answers (a webhookEventId, or `timer:<id>`): for the logs. */
  eventId?: string;
  messages: unknown[];
  replyToken?: string;
  /** When the reply token was received (ms epoch): replies are tried only while it is fresh. */
  replyTokenAt?: number;
  /** A proactive push (from a timer) rather than an answer to the user. */
  proactive: boolean;
  createdAt: number;
}

export interface OutboxBatch extends NewOutboxBatch {
  seq: number;
  status: OutboxStatus;
  /** Tries on record: each reply attempt, a proactive push's first try, each failure. 0: never tried. */
  attempts: number;
  /** A reply was attempted: after a crash its outcome is unknown, so the retry goes by push. */
  replyAttempted: boolean;
  sentVia?: 'reply' | 'push';
  lastError?: string;
}

export type TimerStatus = 'pending' | 'fired' | 'cancelled';

export interface TimerRecord {
  id: string;
  userId: string;
  kind: string;
  dueAt: number;
  payload: unknown;
  status: TimerStatus;
  createdAt: number;
}

export interface Turn {
  userId: string;
  /** The inbox row this turn answers: marked done in the same transaction. */
  inboxSeq?: number;
  /** New conversation state; null deletes it; undefined leaves it as it is. */
  conversation?: StoredConversation | null;
  outbox?: NewOutboxBatch[];
  scheduleTimers?: Array<Omit<TimerRecord, 'status'>>;
  /** Cancel pending timers of these kinds, or all of them. */
  cancelTimers?: { kinds: string[] } | 'all';
  /** Delete everything the user told us: conversation, timers, pending pushes, stored event text. */
  deleteUserData?: boolean;
  /** What this turn took from its message (stored with the inbox row): undone if the user unsends it. */
  messageDetails?: MessageDetails;
  /**
   * The user unsent this message (LINE's message id): its text leaves the inbox, and Akari's stored
   * answer to it is emptied, in the same transaction as the rest of the turn.
   */
  forgetMessage?: string;
}

/** The details a message's turn changed: each field's value before and after it (undefined: none). */
export interface MessageDetails {
  profile: Record<string, { before?: unknown; after?: unknown }>;
}

/** Rows deleted by one `pruneFinished` call, per table. */
export interface PruneResult {
  inbox: number;
  outbox: number;
  timers: number;
}

/**
 * One row of the stage funnel (the operator's report): where a user went and when, never what
 * anyone wrote. Written by the store itself as turns commit and pushes are sent.
 */
export interface FunnelRecord {
  userId: string;
  /** The scenario the user was in (see `scenarioOf`). */
  scenario: string;
  /**
   * `stage`: the stored stage changed from `from` (undefined: the user's first turn) to `to`.
   * `push`: a proactive push was sent while the user was in `to`. `reply`: the user's first message
   * or tap after a push, in stage `to`.
   */
  kind: 'stage' | 'push' | 'reply';
  from?: string;
  to: string;
  at: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Present when several processes share the store (PostgreSQL): the locks that keep one user's
   * turns, and one user's sends, to one process at a time. Absent on SQLite (one process per file).
   */
  readonly shared?: SharedStore;
  /** Inserts new events; ones already known (same eventId) are ignored. */
  acceptEvents(events: InboxEvent[]): Promise<{ accepted: InboxEvent[]; duplicates: number }>;
  nextInboxRow(userId: string): Promise<InboxRow | undefined>;
  usersWithPendingInbox(): Promise<string[]>;
  recordInboxFailure(seq: number, error: string, park: boolean): Promise<InboxRow | undefined>;
  getInboxRow(eventId: string): Promise<InboxRow | undefined>;
  /**
   * Has the user sent a message or a tap (postback) that arrived after the event `eventId`? Timers,
   * and events the conversation ignores (unsend, membership, …), don't count. False if it is unknown.
   */
  hasNewerUserEvent(userId: string, eventId: string): Promise<boolean>;

  /** The inbox event of the user's message with this LINE message id, and what its turn took from it. */
  messageDetails(userId: string, messageId: string): Promise<{ eventId: string; details?: MessageDetails } | undefined>;

  loadConversation(userId: string): Promise<StoredConversation | undefined>;
  commitTurn(turn: Turn): Promise<void>;

  pendingOutbox(userId?: string): Promise<OutboxBatch[]>;
  getOutbox(id: string): Promise<OutboxBatch | undefined>;
  /** Just the batch's status (undefined if there is no such batch): cheaper than reading it whole. */
  outboxStatus(id: string): Promise<OutboxStatus | undefined>;
  markReplyAttempted(id: string): Promise<void>;
  /**
   * A proactive push is about to be tried for the first time: recorded (attempts + 1) so that after a
   * crash mid-request it counts as possibly delivered, never as a push that never went out.
   * False (and nothing written) if the batch is no longer pending.
   */
  markPushAttempted(id: string): Promise<boolean>;
  /**
   * Has a proactive batch of the user's turn for `eventId` been tried (a try on record, including
   * one that failed for good: it may have reached LINE) or sent? A turn of more than five messages
   * is written as several batches: they go out together.
   */
  pushTurnStarted(userId: string, eventId: string): Promise<boolean>;
  markOutboxSent(id: string, via: 'reply' | 'push', at: number): Promise<void>;
  markOutboxFailed(id: string, error: string, final: boolean): Promise<void>;
  /** A pending batch that should no longer go out: cancelled, with the reason (a sent one stays sent). */
  cancelOutbox(id: string, reason: string): Promise<void>;
  /** Proactive pushes sent to the user since `since` (ms epoch): for the daily cap. */
  countProactiveSentSince(userId: string, since: number): Promise<number>;
  /** The user's fired timers whose turn has not run yet (pending `timer:` inbox events): for the daily cap. */
  countPendingTimerEvents(userId: string): Promise<number>;

  /** Pending timers due at or before `now`, oldest first. */
  dueTimers(now: number, limit: number): Promise<TimerRecord[]>;
  /** The next pending timer's due time, if any. */
  nextTimerDueAt(): Promise<number | undefined>;
  pendingTimers(userId: string): Promise<TimerRecord[]>;
  /**
   * Atomically turns a due, pending timer into an inbox event (`timer:<id>`) and marks it fired.
   * Returns false if another process (or a cancellation) got there first: exactly once.
   */
  fireTimer(id: string, now: number): Promise<InboxEvent | undefined>;
  /** Moves a pending timer (e.g. out of quiet hours). */
  rescheduleTimer(id: string, dueAt: number): Promise<void>;
  cancelTimer(id: string): Promise<void>;

  /**
   * Deletes what is finished and older than `before` (ms epoch), at most `limit` rows per table:
   * handled or parked inbox events (received before), sent, failed or cancelled outbox batches
   * (created and sent before), fired or cancelled timers (created before). Nothing pending, and no
   * conversation, is ever touched. Call again while a table reports `limit` rows deleted.
   */
  pruneFinished(before: number, limit: number): Promise<PruneResult>;

  // ---- Operations: what the metrics and the funnel report read ----

  /** Pending inbox events, and when the oldest of them was received. */
  inboxBacklog(): Promise<{ pending: number; oldestReceivedAt?: number }>;
  /** Pending timers due at or before `now`, and the oldest due time among them. */
  timerBacklog(now: number): Promise<{ due: number; oldestDueAt?: number }>;
  /** Stored conversations per stage. */
  conversationsByStage(): Promise<Record<string, number>>;
  /** Every funnel record, oldest first (ties in the order written). */
  funnelRecords(): Promise<FunnelRecord[]>;
  /** Each stored conversation's stage and the time of its last turn: who is still where. */
  conversationStages(): Promise<Array<{ userId: string; stage: string; updatedAt: number }>>;

  /**
   * Throws if the store cannot take writes now (it writes, and checks what the adapter can: for
   * SQLite, that the file is still the one it opened and that the disk has room).
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The scenario of a stored conversation for the funnel: the one its snapshot names (the
 * conversation's `context.scenario`), else a prefix of the stage (`scenario.stage`), else the
 * first scenario, where every conversation starts: the missed call.
 */
export function scenarioOf(stage: string, fromSnapshot?: unknown): string {
  if (typeof fromSnapshot === 'string' && fromSnapshot !== '') return fromSnapshot;
  const m = /^([^.:]+)[.:]/.exec(stage);
  return m ? m[1]! : 'missed-call';
}

/** What a lock attempt gave: the work's value, or nothing because another process holds the lock. */
export type Locked<T> = { locked: true; value: T } | { locked: false };

/**
 * Several processes on one database. Locks die with their connection, so a process killed mid-turn
 * leaves nothing held: its transaction is rolled back and the event is still pending.
 */
export interface SharedStore {
  /**
   * One turn of the user's conversation in one transaction, under the user's lock (try, no wait).
   * `work` gets a store bound to that transaction: its reads see the turn's own view, and its
   * `commitTurn` commits the transaction (and so releases the lock); after that it is the plain
   * store again. Whatever `work` leaves uncommitted (it threw, or found nothing to do) is rolled back.
   */
  withUserTurn<T>(userId: string, work: (store: Store) => Promise<T>): Promise<Locked<T>>;
  /**
   * Users with an event pending for at least `minAgeMs` (by the database's clock): what another
   * instance took in and has not handled (killed, left it for a newer release, or the user's lock
   * was busy at the moment it looked). Oldest first.
   */
  usersWithWaitingEvents(minAgeMs: number): Promise<string[]>;
  /** Runs `work` while holding the user's send lock (try, no wait): one process sends a user's batches. */
  withUserSend<T>(userId: string, work: () => Promise<T>): Promise<Locked<T>>;
  /** Runs `work` while holding the scheduler's lock (waits for it): due timers are looked at by one process at a time. */
  withSchedulerLock<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * The store cannot be used right now, through no fault of the request: PostgreSQL unreachable
 * (connection refused, dropped, timed out), SQLite's file gone or its disk full. 503, not 500;
 * worth trying again later.
 */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly context: { path?: string; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}
