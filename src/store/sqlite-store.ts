import { existsSync, mkdirSync, statSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { toInbox, toOutbox, toTimer, type InboxDbRow, type OutboxDbRow, type TimerDbRow } from './db-rows.ts';
import type { Logger } from '../log/create-logger.ts';
import { createGroupCommit } from './group-commit.ts';
import { StoreUnavailableError } from './ports.ts';
import { firstKeyAtOrAfter, type KeyedTime } from './time-ordered.ts';
import {
  BACKSTOP_PAGES,
  DEFAULT_AUTOCHECKPOINT_PAGES,
  startWalCheckpointer,
  type CheckpointResult,
  type WalCheckpointer,
} from './wal-checkpointer.ts';
import { scenarioOf, type FunnelRecord } from './ports.ts';
import type {
  InboxEvent,
  InboxRow,
  MessageDetails,
  PruneResult,
  NewOutboxBatch,
  OutboxBatch,
  OutboxStatus,
  Store,
  StoredConversation,
  TimerRecord,
  Turn,
} from './ports.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox (user_id, seq) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS conversations (
  user_id TEXT PRIMARY KEY,
  machine_version INTEGER NOT NULL,
  stage TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  messages TEXT NOT NULL,
  reply_token TEXT,
  reply_token_at INTEGER,
  event_id TEXT,
  proactive INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  reply_attempted INTEGER NOT NULL DEFAULT 0,
  sent_via TEXT,
  sent_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (user_id, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_proactive ON outbox (user_id, sent_at) WHERE proactive = 1;

CREATE TABLE IF NOT EXISTS timers (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS timers_due ON timers (due_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS timers_user ON timers (user_id) WHERE status = 'pending';

-- Written by ping(): /readyz proves the store can still write, not just read.
CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);
-- Who holds the file (exclusive mode): read by a second process to say who is in the way.
CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, started_at INTEGER NOT NULL);
-- The stage funnel: stage changes, proactive pushes and the replies to them; no message text.
CREATE TABLE IF NOT EXISTS funnel (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  scenario TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_stage TEXT,
  to_stage TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS funnel_user ON funnel (user_id, id);
`;


/** `file:./data/akari.db` → an absolute path; `file::memory:` → an in-memory database. */
export function sqlitePathFromUrl(url: string): string {
  const path = url.replace(/^file:(\/\/)?/, '');
  if (path === ':memory:') return path;
  return resolve(path);
}

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing (SQLite busy_timeout). */
  busyTimeoutMs?: number;
  /**
   * WAL checkpoints on a worker thread (see wal-checkpointer.ts), on by default for a database file;
   * `false` leaves them to SQLite, on the event loop.
   */
  walCheckpoint?: false | { intervalMs?: number; onCheckpoint?: (result: CheckpointResult) => void };
  /** Where the store reports trouble it has worked around (the checkpoint worker stopping). */
  log?: Logger;
  /**
   * One process per database file: take a lock that lasts as long as this store is open, and
   * refuse to open (StoreLockedError, naming the holder) while another process has it. Akari's
   * own start does this; tools and tests that only look at the file don't.
   */
  exclusive?: boolean;
  /** ping() fails below this much free space where the database lives (default 16 MiB). */
  minFreeBytes?: number;
}

// The store cannot be used right now (the file vanished, the disk is full, …): 503, not 500.
// One class for every adapter (ports.ts); exported here too, where SQLite's callers look for it.
export { StoreUnavailableError };

/** Another process holds the database file (exclusive mode). */
export class StoreLockedError extends Error {
  constructor(
    readonly path: string,
    readonly holder: { pid: number; host: string; startedAt: string } | undefined,
  ) {
    super(
      `The database ${path} is in use by another Akari process${holder ? ` (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt})` : ''}. ` +
        'A SQLite file serves one process: stop the other one, or give this one its own DATABASE_URL; to run several instances on one database, use PostgreSQL (DATABASE_URL=postgres://…).',
    );
    this.name = 'StoreLockedError';
  }
}

/** The database file is gone but its lock file is there: it was deleted or moved (exclusive mode). */
export class StoreMissingError extends Error {
  constructor(readonly path: string) {
    super(
      `The database ${path} is missing, but ${path}.lock shows that Akari kept one there: it was deleted or moved. ` +
        `Put it back (with its -wal file, if any), or, to start with an empty database on purpose, delete ${path}.lock.`,
    );
    this.name = 'StoreMissingError';
  }
}

const DEFAULT_MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * Holds an exclusive lock on `<path>.lock` for as long as the returned connection is open. SQLite's
 * locks are the file system's: the operating system drops them when the process dies, so a crash
 * never leaves a stale lock behind. Undefined: another process holds it.
 */
function takeFileLock(path: string): Database.Database | undefined {
  const lock = new Database(`${path}.lock`);
  try {
    lock.pragma('busy_timeout = 0');
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS lock (note TEXT); BEGIN EXCLUSIVE; COMMIT;');
    return lock;
  } catch (err) {
    lock.close();
    if (/^SQLITE_BUSY/.test(String((err as { code?: unknown }).code ?? ''))) return undefined;
    throw err;
  }
}

export function createSqliteStore(databaseUrl: string, options: SqliteStoreOptions = {}): Store {
  const path = sqlitePathFromUrl(databaseUrl);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // The lock file outlives the process; the database beside it should too. A lock file with no
  // database means the database was deleted or moved: starting afresh would silently lose it all.
  if (options.exclusive && path !== ':memory:' && !existsSync(path) && existsSync(`${path}.lock`)) throw new StoreMissingError(path);
  const fileLock = options.exclusive && path !== ':memory:' ? takeFileLock(path) : undefined;
  if (options.exclusive && path !== ':memory:' && !fileLock) throw new StoreLockedError(path, readHolder(path));
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit survives the process crashing; a power cut may lose the last commits.
  db.pragma('synchronous = NORMAL');
  // A second process on the same file waits for the lock instead of failing at once.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // What a user asked to delete is overwritten, not just unlinked: freed space in the file is zeroed.
  db.pragma('secure_delete = ON');
  db.exec(SCHEMA);
  // Databases made before outbox batches recorded their event get the column (empty for old rows).
  // Under the write lock, so that two processes starting together don't both add it.
  db.transaction(() => {
    const outboxColumns = db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>;
    if (!outboxColumns.some((c) => c.name === 'event_id')) db.exec('ALTER TABLE outbox ADD COLUMN event_id TEXT');
    // What a message's turn took from it (see Turn.messageDetails): undone if the user unsends it.
    const inboxColumns = db.prepare('PRAGMA table_info(inbox)').all() as Array<{ name: string }>;
    if (!inboxColumns.some((c) => c.name === 'details')) db.exec('ALTER TABLE inbox ADD COLUMN details TEXT');
    if (fileLock) {
      db.prepare('INSERT OR REPLACE INTO holder (id, pid, host, started_at) VALUES (1, ?, ?, ?)').run(process.pid, hostname(), Date.now());
    }
  }).immediate();
  // The file this store opened: if it is deleted or replaced while we run, what we write is lost.
  const opened = path === ':memory:' ? undefined : statSync(path);
  const minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  /** Throws StoreUnavailableError if the database file is no longer the one opened. */
  const checkFile = () => {
    if (!opened) return;
    let now: ReturnType<typeof statSync>;
    try {
      now = statSync(path);
    } catch (err) {
      throw new StoreUnavailableError(`the database file ${path} is gone (deleted or moved while Akari runs): what is written now would be lost at the next start`, { path, cause: err });
    }
    if (now.ino !== opened.ino || now.dev !== opened.dev) {
      throw new StoreUnavailableError(`the database file ${path} was replaced by another file while Akari runs`, { path });
    }
  };

  const stmt = {
    insertInbox: db.prepare(
      'INSERT OR IGNORE INTO inbox (event_id, user_id, payload, received_at) VALUES (?, ?, ?, ?)',
    ),
    nextInbox: db.prepare(
      "SELECT * FROM inbox WHERE user_id = ? AND status = 'pending' ORDER BY seq LIMIT 1",
    ),
    pendingUsers: db.prepare("SELECT DISTINCT user_id FROM inbox WHERE status = 'pending' ORDER BY user_id"),
    inboxBySeq: db.prepare('SELECT * FROM inbox WHERE seq = ?'),
    inboxByEventId: db.prepare('SELECT * FROM inbox WHERE event_id = ?'),
    // Only a pending event can fail: a finished one must never come back (it would be answered twice).
    inboxFail: db.prepare("UPDATE inbox SET attempts = attempts + 1, last_error = ?, status = ? WHERE seq = ? AND status = 'pending'"),
    inboxDone: db.prepare("UPDATE inbox SET status = 'done' WHERE seq = ?"),
    inboxForgetSeq: db.prepare("UPDATE inbox SET payload = '{}', details = NULL WHERE seq = ?"),
    inboxSetDetails: db.prepare('UPDATE inbox SET details = ? WHERE seq = ?'),
    // A message's row, found by LINE's message id (unsend names the message, not the event).
    inboxByMessageId: db.prepare(
      "SELECT event_id, details FROM inbox WHERE user_id = ? AND json_extract(payload, '$.message.id') = ? ORDER BY seq LIMIT 1",
    ),
    // Keep the event (a redelivery is still recognised, it still counts as the user writing) without its words.
    inboxForgetMessage: db.prepare(
      `UPDATE inbox SET payload = json_object('type', 'message', 'unsent', json('true'), 'message', json_object('type', 'unsent', 'id', @messageId)),
         details = NULL WHERE user_id = @userId AND json_extract(payload, '$.message.id') = @messageId`,
    ),
    // What Akari answered to it is kept only as "sent" (the answer may quote the message).
    outboxForgetEvent: db.prepare("UPDATE outbox SET messages = '[]' WHERE user_id = ? AND event_id = ? AND status != 'pending'"),
    health: db.prepare('INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at'),
    // Keep the event id (so a redelivery is still recognised) but forget what the user wrote.
    inboxForget: db.prepare("UPDATE inbox SET payload = '{}', details = NULL WHERE user_id = ? AND status != 'pending'"),
    newerUserEvent: db.prepare(
      `SELECT 1 FROM inbox WHERE seq > (SELECT seq FROM inbox WHERE event_id = ?) AND user_id = ?
         AND json_extract(payload, '$.type') IN ('message', 'postback') LIMIT 1`,
    ).pluck(),
    loadConv: db.prepare('SELECT * FROM conversations WHERE user_id = ?'),
    upsertConv: db.prepare(
      `INSERT INTO conversations (user_id, machine_version, stage, snapshot, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(user_id) DO UPDATE SET machine_version = excluded.machine_version, stage = excluded.stage,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
    ),
    deleteConv: db.prepare('DELETE FROM conversations WHERE user_id = ?'),
    insertOutbox: db.prepare(
      `INSERT INTO outbox (id, user_id, event_id, messages, reply_token, reply_token_at, proactive, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    pendingOutboxAll: db.prepare("SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq"),
    pendingOutboxUser: db.prepare("SELECT * FROM outbox WHERE status = 'pending' AND user_id = ? ORDER BY seq"),
    outboxById: db.prepare('SELECT * FROM outbox WHERE id = ?'),
    outboxStatusById: db.prepare('SELECT status FROM outbox WHERE id = ?').pluck(),
    outboxReplyAttempted: db.prepare('UPDATE outbox SET reply_attempted = 1, attempts = attempts + 1 WHERE id = ?'),
    outboxPushAttempted: db.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE id = ? AND status = 'pending'"),
    // proactive = 1: the outbox_proactive index holds the user's pushes.
    pushTurnStarted: db.prepare(
      "SELECT 1 FROM outbox WHERE user_id = ? AND proactive = 1 AND event_id = ? AND (attempts > 0 OR status = 'sent') LIMIT 1",
    ).pluck(),
    outboxSent: db.prepare("UPDATE outbox SET status = 'sent', sent_via = ?, sent_at = ? WHERE id = ?"),
    // Only a pending batch can fail: a batch cancelled (user data deleted) or sent meanwhile stays so.
    outboxFailed: db.prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ?, status = ? WHERE id = ? AND status = 'pending'"),
    outboxCancel: db.prepare("UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ? AND status = 'pending'"),
    outboxCancelUser: db.prepare("UPDATE outbox SET status = 'cancelled', messages = '[]' WHERE user_id = ? AND status = 'pending'"),
    outboxForgetUser: db.prepare("UPDATE outbox SET messages = '[]' WHERE user_id = ?"),
    proactiveSince: db.prepare(
      "SELECT COUNT(*) AS n FROM outbox WHERE user_id = ? AND proactive = 1 AND status = 'sent' AND sent_at >= ?",
    ),
    pendingTimerEvents: db.prepare(
      "SELECT COUNT(*) AS n FROM inbox WHERE user_id = ? AND status = 'pending' AND event_id LIKE 'timer:%'",
    ),
    insertTimer: db.prepare(
      `INSERT INTO timers (id, user_id, kind, due_at, payload, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)
       ON CONFLICT(id) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, status = 'pending'`,
    ),
    cancelTimersUser: db.prepare("UPDATE timers SET status = 'cancelled' WHERE user_id = ? AND status = 'pending'"),
    cancelTimersKind: db.prepare("UPDATE timers SET status = 'cancelled' WHERE user_id = ? AND kind = ? AND status = 'pending'"),
    deleteTimersUser: db.prepare('DELETE FROM timers WHERE user_id = ?'),
    dueTimers: db.prepare("SELECT * FROM timers WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?"),
    nextDue: db.prepare("SELECT MIN(due_at) AS due FROM timers WHERE status = 'pending'"),
    pendingTimersUser: db.prepare("SELECT * FROM timers WHERE user_id = ? AND status = 'pending' ORDER BY due_at"),
    timerById: db.prepare('SELECT * FROM timers WHERE id = ?'),
    inboxBacklog: db.prepare("SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM inbox WHERE status = 'pending'"),
    timerBacklog: db.prepare("SELECT COUNT(*) AS n, MIN(due_at) AS oldest FROM timers WHERE status = 'pending' AND due_at <= ?"),
    stageCounts: db.prepare('SELECT stage, COUNT(*) AS n FROM conversations GROUP BY stage'),
    conversationStages: db.prepare('SELECT user_id, stage, updated_at FROM conversations ORDER BY user_id'),
    convStage: db.prepare("SELECT stage, json_extract(snapshot, '$.context.scenario') AS scenario FROM conversations WHERE user_id = ?"),
    inboxType: db.prepare("SELECT json_extract(payload, '$.type') FROM inbox WHERE seq = ?").pluck(),
    insertFunnel: db.prepare('INSERT INTO funnel (user_id, scenario, kind, from_stage, to_stage, at) VALUES (?, ?, ?, ?, ?, ?)'),
    lastFunnelKind: db.prepare('SELECT kind FROM funnel WHERE user_id = ? ORDER BY id DESC LIMIT 1').pluck(),
    funnelAll: db.prepare('SELECT * FROM funnel ORDER BY at, id'),
    deleteFunnelUser: db.prepare('DELETE FROM funnel WHERE user_id = ?'),
    outboxForFunnel: db.prepare('SELECT user_id, proactive, status FROM outbox WHERE id = ?'),
    fireTimer: db.prepare("UPDATE timers SET status = 'fired' WHERE id = ? AND status = 'pending' AND due_at <= ?"),
    rescheduleTimer: db.prepare("UPDATE timers SET due_at = ? WHERE id = ? AND status = 'pending'"),
    cancelTimer: db.prepare("UPDATE timers SET status = 'cancelled' WHERE id = ? AND status = 'pending'"),
    // Retention. Rows go in by increasing seq (rowid) as time goes on, so where the old rows end is
    // found by bisection over the key (time-ordered.ts) and bounds each DELETE's scan: a prune reads
    // about as many rows as it deletes. The age test stays in the DELETE, so a clock that went
    // backwards can only delay a deletion.
    pruneInbox: db.prepare(
      `DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE seq < ? AND status != 'pending' AND received_at < ? ORDER BY seq LIMIT ?)`,
    ),
    pruneOutbox: db.prepare(
      `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq < ? AND status != 'pending' AND created_at < ?
         AND (sent_at IS NULL OR sent_at < ?) ORDER BY seq LIMIT ?)`,
    ),
    pruneTimers: db.prepare(
      `DELETE FROM timers WHERE rowid IN (SELECT rowid FROM timers WHERE rowid < ? AND status != 'pending' AND created_at < ? ORDER BY rowid LIMIT ?)`,
    ),
  };

  /** Where a table's rows older than `before` end (see above): its key, found by bisection. */
  const oldRowsEndIn = (table: string, key: string, time: string) => {
    // MIN and MAX in separate subqueries: together in one SELECT, SQLite scans the whole table.
    const range = db.prepare(`SELECT (SELECT MIN(${key}) FROM ${table}) AS min, (SELECT MAX(${key}) FROM ${table}) AS max`);
    const from = db.prepare(`SELECT ${key} AS key, ${time} AS time FROM ${table} WHERE ${key} >= ? ORDER BY ${key} LIMIT 1`);
    return (before: number): number => {
      const r = range.get() as { min: number | null; max: number | null };
      const bounds = r.min === null || r.max === null ? undefined : { min: r.min, max: r.max };
      return firstKeyAtOrAfter(before, bounds, (k) => from.get(k) as KeyedTime | undefined);
    };
  };
  const oldInboxEnd = oldRowsEndIn('inbox', 'seq', 'received_at');
  const oldOutboxEnd = oldRowsEndIn('outbox', 'seq', 'created_at');
  const oldTimersEnd = oldRowsEndIn('timers', 'rowid', 'created_at');
  const prune = db.transaction((before: number, limit: number): PruneResult => ({
    inbox: stmt.pruneInbox.run(oldInboxEnd(before), before, limit).changes,
    outbox: stmt.pruneOutbox.run(oldOutboxEnd(before), before, before, limit).changes,
    timers: stmt.pruneTimers.run(oldTimersEnd(before), before, limit).changes,
  }));

  const insertEvents = db.transaction((events: InboxEvent[]) => {
    const accepted: InboxEvent[] = [];
    for (const e of events) {
      const r = stmt.insertInbox.run(e.eventId, e.userId, JSON.stringify(e.payload), e.receivedAt);
      if (r.changes === 1) accepted.push(e);
    }
    return accepted;
  });

  const insertOutbox = (b: NewOutboxBatch) =>
    stmt.insertOutbox.run(
      b.id,
      b.userId,
      b.eventId ?? null,
      JSON.stringify(b.messages),
      b.replyToken ?? null,
      b.replyTokenAt ?? null,
      b.proactive ? 1 : 0,
      b.createdAt,
    );

  /** The funnel, from the stored stage before and after the turn (and the event it answers). */
  const recordFunnel = (turn: Turn) => {
    const c = turn.conversation;
    if (!c) return;
    const stored = stmt.convStage.get(turn.userId) as { stage: string; scenario: unknown } | undefined;
    const before = stored?.stage;
    const scenario = scenarioOf(c.stage, (c.snapshot as { context?: { scenario?: unknown } } | null)?.context?.scenario);
    if (before !== c.stage) stmt.insertFunnel.run(turn.userId, scenario, 'stage', before ?? null, c.stage, c.updatedAt);
    const type = turn.inboxSeq !== undefined ? (stmt.inboxType.get(turn.inboxSeq) as string | null | undefined) : undefined;
    if ((type === 'message' || type === 'postback') && stmt.lastFunnelKind.get(turn.userId) === 'push') {
      stmt.insertFunnel.run(turn.userId, stored ? scenarioOf(stored.stage, stored.scenario) : scenario, 'reply', null, before ?? c.stage, c.updatedAt);
    }
  };

  const markSent = db.transaction((id: string, via: 'reply' | 'push', at: number) => {
    const b = stmt.outboxForFunnel.get(id) as { user_id: string; proactive: number; status: string } | undefined;
    stmt.outboxSent.run(via, at, id);
    if (!b || b.proactive !== 1 || b.status === 'sent') return;
    const stored = stmt.convStage.get(b.user_id) as { stage: string; scenario: unknown } | undefined;
    if (stored) stmt.insertFunnel.run(b.user_id, scenarioOf(stored.stage, stored.scenario), 'push', null, stored.stage, at);
  });

  const commit = db.transaction((turn: Turn) => {
    if (turn.deleteUserData) stmt.deleteFunnelUser.run(turn.userId);
    else recordFunnel(turn);
    if (turn.deleteUserData) {
      stmt.deleteConv.run(turn.userId);
      stmt.deleteTimersUser.run(turn.userId);
      stmt.outboxCancelUser.run(turn.userId);
      stmt.outboxForgetUser.run(turn.userId);
      stmt.inboxForget.run(turn.userId);
    }
    if (turn.cancelTimers === 'all') stmt.cancelTimersUser.run(turn.userId);
    else if (turn.cancelTimers) for (const k of turn.cancelTimers.kinds) stmt.cancelTimersKind.run(turn.userId, k);
    if (turn.conversation === null) stmt.deleteConv.run(turn.userId);
    else if (turn.conversation) {
      const c = turn.conversation;
      stmt.upsertConv.run(c.userId, c.machineVersion, c.stage, JSON.stringify(c.snapshot), c.updatedAt);
    }
    // A turn that deletes the user's data leaves nothing scheduled behind it.
    for (const t of turn.deleteUserData ? [] : (turn.scheduleTimers ?? [])) {
      stmt.insertTimer.run(t.id, t.userId, t.kind, t.dueAt, JSON.stringify(t.payload), t.createdAt);
    }
    for (const b of turn.outbox ?? []) insertOutbox(b);
    if (turn.forgetMessage) {
      const found = stmt.inboxByMessageId.get(turn.userId, turn.forgetMessage) as { event_id: string } | undefined;
      stmt.inboxForgetMessage.run({ userId: turn.userId, messageId: turn.forgetMessage });
      if (found) stmt.outboxForgetEvent.run(turn.userId, found.event_id);
    }
    if (turn.inboxSeq !== undefined) {
      stmt.inboxDone.run(turn.inboxSeq);
      if (turn.deleteUserData) stmt.inboxForgetSeq.run(turn.inboxSeq);
      else if (turn.messageDetails) stmt.inboxSetDetails.run(JSON.stringify(turn.messageDetails), turn.inboxSeq);
    }
  });

  const fire = db.transaction((id: string, now: number): InboxEvent | undefined => {
    const r = stmt.fireTimer.run(id, now);
    if (r.changes !== 1) return undefined;
    const t = toTimer(stmt.timerById.get(id) as TimerDbRow);
    const event: InboxEvent = {
      eventId: `timer:${t.id}`,
      userId: t.userId,
      payload: { type: 'timer', timer: { id: t.id, kind: t.kind, dueAt: t.dueAt, payload: t.payload } },
      receivedAt: now,
    };
    stmt.insertInbox.run(event.eventId, event.userId, JSON.stringify(event.payload), event.receivedAt);
    return event;
  });

  // Every write goes through the group commit (in the order asked for): it is durable when its
  // promise resolves, and concurrent webhooks, turns and sends share one commit. The group's
  // transaction is IMMEDIATE: it takes the write lock up front, so two processes can't both read a
  // timer as "pending" and fire it twice. Every write below is one statement or a transaction
  // function (a savepoint inside the group), so one that fails leaves nothing half done.
  const groupTransaction = db.transaction((body: () => void) => body());
  const group = createGroupCommit({
    transaction: (body) => groupTransaction.immediate(body),
    inTransaction: () => db.inTransaction,
    // Locked by another process: trying each write alone would only wait out busy_timeout again.
    retryAlone: (err) => !/^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown }).code ?? '')),
  });
  const write = group.write;

  // Started last, once nothing above can fail, so that a store that fails to open leaves no worker behind.
  let checkpointer: WalCheckpointer | undefined;
  if (path !== ':memory:' && options.walCheckpoint !== false) {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    checkpointer = startWalCheckpointer({
      path,
      ...options.walCheckpoint,
      onFailure(err) {
        // Back to SQLite's own checkpoints, on this thread: slower under load, but nothing grows unbounded.
        if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
        options.log?.warn({ err }, 'WAL checkpoint worker stopped; checkpoints run on the main thread again');
      },
    });
  }

  return {
    kind: 'sqlite',
    async acceptEvents(events) {
      // Refused (503) rather than written to a file that is gone: LINE redelivers them later.
      checkFile();
      const accepted = await write(() => insertEvents(events));
      return { accepted, duplicates: events.length - accepted.length };
    },
    async nextInboxRow(userId) {
      const r = stmt.nextInbox.get(userId) as InboxDbRow | undefined;
      return r ? toInbox(r) : undefined;
    },
    async usersWithPendingInbox() {
      return (stmt.pendingUsers.all() as Array<{ user_id: string }>).map((r) => r.user_id);
    },
    async recordInboxFailure(seq, error, park) {
      const r = await write(() => {
        stmt.inboxFail.run(error.slice(0, 2000), park ? 'parked' : 'pending', seq);
        return stmt.inboxBySeq.get(seq) as InboxDbRow | undefined;
      });
      return r ? toInbox(r) : undefined;
    },
    async getInboxRow(eventId) {
      const r = stmt.inboxByEventId.get(eventId) as InboxDbRow | undefined;
      return r ? toInbox(r) : undefined;
    },
    async hasNewerUserEvent(userId, eventId) {
      return stmt.newerUserEvent.get(eventId, userId) !== undefined;
    },
    async loadConversation(userId) {
      const r = stmt.loadConv.get(userId) as
        | { user_id: string; machine_version: number; stage: string; snapshot: string; updated_at: number }
        | undefined;
      if (!r) return undefined;
      const conv: StoredConversation = {
        userId: r.user_id,
        machineVersion: r.machine_version,
        stage: r.stage,
        snapshot: JSON.parse(r.snapshot) as unknown,
        updatedAt: r.updated_at,
      };
      return conv;
    },
    async commitTurn(turn) {
      await write(() => commit(turn));
    },
    async pendingOutbox(userId) {
      const rows = (userId ? stmt.pendingOutboxUser.all(userId) : stmt.pendingOutboxAll.all()) as OutboxDbRow[];
      return rows.map(toOutbox);
    },
    async getOutbox(id) {
      const r = stmt.outboxById.get(id) as OutboxDbRow | undefined;
      return r ? toOutbox(r) : undefined;
    },
    async outboxStatus(id) {
      return stmt.outboxStatusById.get(id) as OutboxStatus | undefined;
    },
    async markReplyAttempted(id) {
      await write(() => stmt.outboxReplyAttempted.run(id));
    },
    async markPushAttempted(id) {
      return write(() => stmt.outboxPushAttempted.run(id).changes > 0);
    },
    async pushTurnStarted(userId, eventId) {
      return stmt.pushTurnStarted.get(userId, eventId) !== undefined;
    },
    async markOutboxSent(id, via, at) {
      await write(() => markSent(id, via, at));
    },
    async markOutboxFailed(id, error, final) {
      await write(() => stmt.outboxFailed.run(error.slice(0, 2000), final ? 'failed' : 'pending', id));
    },
    async cancelOutbox(id, reason) {
      await write(() => stmt.outboxCancel.run(reason.slice(0, 2000), id));
    },
    async countProactiveSentSince(userId, since) {
      return (stmt.proactiveSince.get(userId, since) as { n: number }).n;
    },
    async countPendingTimerEvents(userId) {
      return (stmt.pendingTimerEvents.get(userId) as { n: number }).n;
    },
    async dueTimers(now, limit) {
      return (stmt.dueTimers.all(now, limit) as TimerDbRow[]).map(toTimer);
    },
    async nextTimerDueAt() {
      const r = stmt.nextDue.get() as { due: number | null };
      return r.due ?? undefined;
    },
    async pendingTimers(userId) {
      return (stmt.pendingTimersUser.all(userId) as TimerDbRow[]).map(toTimer);
    },
    async fireTimer(id, now) {
      return write(() => fire(id, now));
    },
    async rescheduleTimer(id, dueAt) {
      await write(() => stmt.rescheduleTimer.run(dueAt, id));
    },
    async cancelTimer(id) {
      await write(() => stmt.cancelTimer.run(id));
    },
    async pruneFinished(before, limit) {
      return write(() => prune(before, limit));
    },
    async messageDetails(userId, messageId) {
      const r = stmt.inboxByMessageId.get(userId, messageId) as { event_id: string; details: string | null } | undefined;
      if (!r) return undefined;
      return { eventId: r.event_id, ...(r.details ? { details: JSON.parse(r.details) as MessageDetails } : {}) };
    },
    async inboxBacklog() {
      const r = stmt.inboxBacklog.get() as { n: number; oldest: number | null };
      return { pending: r.n, ...(r.oldest !== null ? { oldestReceivedAt: r.oldest } : {}) };
    },
    async timerBacklog(now) {
      const r = stmt.timerBacklog.get(now) as { n: number; oldest: number | null };
      return { due: r.n, ...(r.oldest !== null ? { oldestDueAt: r.oldest } : {}) };
    },
    async conversationsByStage() {
      return Object.fromEntries((stmt.stageCounts.all() as Array<{ stage: string; n: number }>).map((r) => [r.stage, r.n]));
    },
    async funnelRecords() {
      return (stmt.funnelAll.all() as Array<{ user_id: string; scenario: string; kind: FunnelRecord['kind']; from_stage: string | null; to_stage: string; at: number }>).map(
        (r) => ({ userId: r.user_id, scenario: r.scenario, kind: r.kind, ...(r.from_stage !== null ? { from: r.from_stage } : {}), to: r.to_stage, at: r.at }),
      );
    },
    async conversationStages() {
      return (stmt.conversationStages.all() as Array<{ user_id: string; stage: string; updated_at: number }>).map((r) => ({ userId: r.user_id, stage: r.stage, updatedAt: r.updated_at }));
    },
    async ping() {
      checkFile();
      if (opened) {
        let free: number;
        try {
          const fs = statfsSync(dirname(path));
          free = fs.bavail * fs.bsize;
        } catch (err) {
          throw new StoreUnavailableError(`cannot read the free space where ${path} lives`, { path, cause: err });
        }
        if (free < minFreeBytes) {
          throw new StoreUnavailableError(`the disk holding ${path} is (nearly) full: ${free} bytes free, at least ${minFreeBytes} needed`, { path });
        }
      }
      try {
        await write(() => stmt.health.run(Date.now()));
      } catch (err) {
        throw new StoreUnavailableError(`the database ${path} cannot be written: ${(err as Error).message}`, { path, cause: err });
      }
    },
    async close() {
      if (!db.open) return;
      // What is queued was asked for before the close: commit it, then close both connections (the
      // last one to close folds the WAL into the database file and removes it).
      group.flush();
      await checkpointer?.close();
      if (db.open) db.close();
      fileLock?.close();
    },
  };
}

/** Who holds the file, as the holder wrote it at its start (undefined if it cannot be read). */
function readHolder(path: string): StoreLockedError['holder'] {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const r = db.prepare('SELECT pid, host, started_at FROM holder WHERE id = 1').get() as { pid: number; host: string; started_at: number } | undefined;
      return r ? { pid: r.pid, host: r.host, startedAt: new Date(r.started_at).toISOString() } : undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}
