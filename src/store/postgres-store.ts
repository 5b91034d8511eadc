/**
 * The PostgreSQL adapter of the store ports: any number of Akari instances on one database.
 *
 * - Every write is its own transaction (or part of the turn's), committed before its promise
 *   resolves: an accepted event is durable before the 200, a turn is durable before it is sent.
 * - One user's turns run one at a time across instances: each turn is a transaction holding
 *   `pg_try_advisory_xact_lock` on the user, and reads the user's oldest pending event inside it
 *   (`shared.withUserTurn`). One user's batches are sent by one instance at a time (a session
 *   advisory lock, `withUserSend`), and due timers are looked at by one scheduler at a time
 *   (`withSchedulerLock`), so the daily push cap counts what every instance did. A timer fires once:
 *   `fireTimer` is a conditional UPDATE, and the inbox event is written in the same transaction.
 * - Locks belong to connections: an instance killed with SIGKILL loses its connections, PostgreSQL
 *   rolls its open transaction back and drops its locks, and what it was doing is pending again.
 * - Lock keys include the schema, so databases shared by several schemas (tests) don't collide.
 */
import pg from 'pg';
import { toInbox, toOutbox, toTimer, type InboxDbRow, type OutboxDbRow, type TimerDbRow } from './db-rows.ts';
import type { Logger } from '../log/create-logger.ts';
import { POSTGRES_MIGRATIONS, type Migration } from './postgres-migrations.ts';
import {
  StoreUnavailableError,
  type InboxEvent,
  type InboxRow,
  scenarioOf,
  type FunnelRecord,
  type Locked,
  type MessageDetails,
  type NewOutboxBatch,
  type OutboxBatch,
  type OutboxStatus,
  type SharedStore,
  type Store,
  type StoredConversation,
  type TimerRecord,
  type Turn,
} from './ports.ts';

/** Advisory lock namespaces (the first key of the two-key form). */
const LOCK_MIGRATE = 0x416b0001;
const LOCK_TURN = 0x416b0002;
const LOCK_SEND = 0x416b0003;
const LOCK_SCHEDULER = 0x416b0004;

/** The store could not be opened at start: names the (redacted) URL and what went wrong. */
export class StoreOpenError extends Error {
  constructor(
    readonly databaseUrl: string,
    readonly reason: string,
  ) {
    super(`Could not open the PostgreSQL database DATABASE_URL=${databaseUrl}: ${reason}`);
    this.name = 'StoreOpenError';
  }
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);

/** Connection trouble (as opposed to a bad statement): the database is away, not the request wrong. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable|Cannot use a pool after calling end/i.test(message);
}

function unavailable(err: unknown): never {
  if (isConnectionError(err) && !(err instanceof StoreUnavailableError)) {
    throw new StoreUnavailableError(`PostgreSQL is not reachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  throw err;
}

// BIGINT columns (ms epochs, seq) and COUNT(*) come back as strings by default; they fit a double.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;


/** Error text as stored: bounded, and without NUL (PostgreSQL text can't hold it). */
const errorText = (s: string) => s.slice(0, 2000).replaceAll('\u0000', '');

type Query = <R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

const queryOn =
  (client: pg.ClientBase): Query =>
  (sql, params) =>
    client.query(sql, params);

/**
 * A checked-out client emits 'error' when its connection breaks; unheard, that would end the
 * process. The query in progress fails as well (and is handled where it was made); the client is
 * then destroyed on release rather than handed out again.
 */
async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    return unavailable(err);
  }
  let failed: Error | undefined;
  const onError = (err: Error) => {
    failed = err;
  };
  client.on('error', onError);
  const release = client.release.bind(client);
  client.release = (err?: Error | boolean) => {
    client.removeListener('error', onError);
    release(err || failed);
  };
  return client;
}

async function inTransaction<T>(pool: pg.Pool, work: (q: Query) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await work(queryOn(client));
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    return unavailable(err);
  } finally {
    client.release(broken);
  }
}

async function readInboxNext(q: Query, userId: string): Promise<InboxRow | undefined> {
  const r = await q<InboxDbRow>("SELECT * FROM inbox WHERE user_id = $1 AND status = 'pending' ORDER BY seq LIMIT 1", [userId]);
  return r.rows[0] ? toInbox(r.rows[0]) : undefined;
}

async function readInboxNextWithConversation(
  q: Query,
  userId: string,
): Promise<{ row: InboxRow; conversation: StoredConversation | undefined } | undefined> {
  const r = await q<InboxDbRow & { c_user_id: string | null; c_machine_version: number | null; c_stage: string | null; c_snapshot: string | null; c_updated_at: number | null }>(
    `SELECT i.*, c.user_id AS c_user_id, c.machine_version AS c_machine_version, c.stage AS c_stage, c.snapshot AS c_snapshot, c.updated_at AS c_updated_at
       FROM (SELECT * FROM inbox WHERE user_id = $1 AND status = 'pending' ORDER BY seq LIMIT 1) i
       LEFT JOIN conversations c ON c.user_id = i.user_id`,
    [userId],
  );
  const x = r.rows[0];
  if (!x) return undefined;
  const conversation =
    x.c_user_id === null
      ? undefined
      : { userId: x.c_user_id, machineVersion: x.c_machine_version!, stage: x.c_stage!, snapshot: JSON.parse(x.c_snapshot!) as unknown, updatedAt: x.c_updated_at! };
  return { row: toInbox(x), conversation };
}

async function readConversation(q: Query, userId: string): Promise<StoredConversation | undefined> {
  const r = await q<{ user_id: string; machine_version: number; stage: string; snapshot: string; updated_at: number }>(
    'SELECT * FROM conversations WHERE user_id = $1',
    [userId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return { userId: row.user_id, machineVersion: row.machine_version, stage: row.stage, snapshot: JSON.parse(row.snapshot) as unknown, updatedAt: row.updated_at };
}

async function insertEvent(q: Query, e: InboxEvent): Promise<boolean> {
  const p = e.payload as { type?: unknown; message?: { id?: unknown } } | null;
  const type = typeof p?.type === 'string' ? p.type : null;
  const messageId = typeof p?.message?.id === 'string' ? p.message.id : null;
  const r = await q(
    `INSERT INTO inbox (event_id, user_id, event_type, message_id, payload, received_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id) DO NOTHING`,
    [e.eventId, e.userId, type, messageId, JSON.stringify(e.payload), e.receivedAt],
  );
  return r.rowCount === 1;
}

async function insertOutbox(q: Query, b: NewOutboxBatch): Promise<void> {
  await q(
    `INSERT INTO outbox (id, user_id, event_id, messages, reply_token, reply_token_at, proactive, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [b.id, b.userId, b.eventId ?? null, JSON.stringify(b.messages), b.replyToken ?? null, b.replyTokenAt ?? null, b.proactive, b.createdAt],
  );
}

/**
 * The writes of an ordinary turn (no deletion) as one statement: each write a data-modifying CTE.
 * They all see the snapshot from before the statement, which is what a turn means (old timers are
 * cancelled, new ones inserted: the cancel can't touch the new ones), and one failing (a batch id
 * used twice) fails them all. One round trip instead of one per write.
 */
async function writeOrdinaryTurn(q: Query, turn: Turn): Promise<void> {
  const u = turn.userId;
  const parts: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (turn.cancelTimers === 'all') parts.push(`UPDATE timers SET status = 'cancelled' WHERE user_id = ${p(u)} AND status = 'pending'`);
  else if (turn.cancelTimers && turn.cancelTimers.kinds.length > 0) {
    parts.push(`UPDATE timers SET status = 'cancelled' WHERE user_id = ${p(u)} AND kind = ANY(${p(turn.cancelTimers.kinds)}::text[]) AND status = 'pending'`);
  }
  if (turn.conversation === null) parts.push(`DELETE FROM conversations WHERE user_id = ${p(u)}`);
  else if (turn.conversation) {
    const c = turn.conversation;
    parts.push(
      `INSERT INTO conversations (user_id, machine_version, stage, snapshot, updated_at)
       VALUES (${p(c.userId)}, ${p(c.machineVersion)}::int, ${p(c.stage)}, ${p(JSON.stringify(c.snapshot))}, ${p(c.updatedAt)}::bigint)
       ON CONFLICT (user_id) DO UPDATE SET machine_version = excluded.machine_version, stage = excluded.stage,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
    );
  }
  for (const t of turn.scheduleTimers ?? []) {
    parts.push(
      `INSERT INTO timers (id, user_id, kind, due_at, payload, status, created_at)
       VALUES (${p(t.id)}, ${p(t.userId)}, ${p(t.kind)}, ${p(t.dueAt)}::bigint, ${p(JSON.stringify(t.payload))}, 'pending', ${p(t.createdAt)}::bigint)
       ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, status = 'pending'`,
    );
  }
  for (const b of turn.outbox ?? []) {
    parts.push(
      `INSERT INTO outbox (id, user_id, event_id, messages, reply_token, reply_token_at, proactive, created_at)
       VALUES (${p(b.id)}, ${p(b.userId)}, ${p(b.eventId ?? null)}::text, ${p(JSON.stringify(b.messages))}, ${p(b.replyToken ?? null)}::text,
         ${p(b.replyTokenAt ?? null)}::bigint, ${p(b.proactive)}::boolean, ${p(b.createdAt)}::bigint)`,
    );
  }
  if (turn.inboxSeq !== undefined) {
    const details = turn.messageDetails ? `, details = ${p(JSON.stringify(turn.messageDetails))}` : '';
    parts.push(`UPDATE inbox SET status = 'done'${details} WHERE seq = ${p(turn.inboxSeq)}::bigint`);
  }
  if (parts.length === 0) return;
  await q(parts.length === 1 ? parts[0]! : `WITH ${parts.map((sql, i) => `w${i} AS (${sql})`).join(',\n')} SELECT 1`, params);
}

/**
 * A turn without a deletion or an unsent message: its writes touch each row once, so they can go
 * in one statement (a statement must not change one row twice).
 */
const isOrdinary = (turn: Turn) => !turn.deleteUserData && turn.forgetMessage === undefined && !turn.conversation;

/** The funnel, from the stored stage before and after the turn (and the event it answers). */
async function recordFunnel(q: Query, turn: Turn): Promise<void> {
  const c = turn.conversation;
  if (!c) return;
  const r = await q<{ stage: string; snapshot: string }>('SELECT stage, snapshot FROM conversations WHERE user_id = $1', [turn.userId]);
  const stored = r.rows[0];
  const before = stored?.stage;
  const storedScenario = stored ? (JSON.parse(stored.snapshot) as { context?: { scenario?: unknown } } | null)?.context?.scenario : undefined;
  const scenario = scenarioOf(c.stage, (c.snapshot as { context?: { scenario?: unknown } } | null)?.context?.scenario);
  const insert = (sc: string, kind: string, from: string | null, to: string) =>
    q('INSERT INTO funnel (user_id, scenario, kind, from_stage, to_stage, at) VALUES ($1, $2, $3, $4, $5, $6)', [turn.userId, sc, kind, from, to, c.updatedAt]);
  if (before !== c.stage) await insert(scenario, 'stage', before ?? null, c.stage);
  if (turn.inboxSeq === undefined) return;
  const t = await q<{ event_type: string | null; last: string | null }>(
    'SELECT event_type, (SELECT kind FROM funnel WHERE user_id = $2 ORDER BY id DESC LIMIT 1) AS last FROM inbox WHERE seq = $1',
    [turn.inboxSeq, turn.userId],
  );
  const row = t.rows[0];
  if ((row?.event_type === 'message' || row?.event_type === 'postback') && row.last === 'push') {
    await insert(stored ? scenarioOf(stored.stage, storedScenario) : scenario, 'reply', null, before ?? c.stage);
  }
}

/** The writes of one turn, on a connection inside a transaction. */
async function writeTurn(q: Query, turn: Turn): Promise<void> {
  if (isOrdinary(turn)) return writeOrdinaryTurn(q, turn);
  const u = turn.userId;
  if (turn.deleteUserData) await q('DELETE FROM funnel WHERE user_id = $1', [u]);
  else if (turn.conversation) {
    await recordFunnel(q, turn);
    // The rest is an ordinary turn's writes: one statement.
    if (turn.forgetMessage === undefined) return writeOrdinaryTurn(q, turn);
  }
  if (turn.deleteUserData) {
    await q('DELETE FROM conversations WHERE user_id = $1', [u]);
    await q('DELETE FROM timers WHERE user_id = $1', [u]);
    await q("UPDATE outbox SET status = 'cancelled', messages = '[]' WHERE user_id = $1 AND status = 'pending'", [u]);
    await q("UPDATE outbox SET messages = '[]' WHERE user_id = $1 AND messages <> '[]'", [u]);
    // Keep the event ids (a redelivery is still recognised) but forget what the user wrote.
    await q("UPDATE inbox SET payload = '{}', details = NULL WHERE user_id = $1 AND status <> 'pending'", [u]);
  }
  if (turn.cancelTimers === 'all') await q("UPDATE timers SET status = 'cancelled' WHERE user_id = $1 AND status = 'pending'", [u]);
  else if (turn.cancelTimers && turn.cancelTimers.kinds.length > 0) {
    await q("UPDATE timers SET status = 'cancelled' WHERE user_id = $1 AND kind = ANY($2::text[]) AND status = 'pending'", [u, turn.cancelTimers.kinds]);
  }
  if (turn.conversation === null) await q('DELETE FROM conversations WHERE user_id = $1', [u]);
  else if (turn.conversation) {
    const c = turn.conversation;
    await q(
      `INSERT INTO conversations (user_id, machine_version, stage, snapshot, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET machine_version = excluded.machine_version, stage = excluded.stage,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
      [c.userId, c.machineVersion, c.stage, JSON.stringify(c.snapshot), c.updatedAt],
    );
  }
  // A turn that deletes the user's data leaves nothing scheduled behind it.
  for (const t of turn.deleteUserData ? [] : (turn.scheduleTimers ?? [])) {
    await q(
      `INSERT INTO timers (id, user_id, kind, due_at, payload, status, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6)
       ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, status = 'pending'`,
      [t.id, t.userId, t.kind, t.dueAt, JSON.stringify(t.payload), t.createdAt],
    );
  }
  for (const b of turn.outbox ?? []) await insertOutbox(q, b);
  if (turn.forgetMessage !== undefined) {
    // Keep the event (a redelivery is still recognised, it still counts as the user writing)
    // without its words; what Akari answered to it is kept only as "sent" (it may quote them).
    const m = turn.forgetMessage;
    const found = await q<{ event_id: string }>('SELECT event_id FROM inbox WHERE user_id = $1 AND message_id = $2 ORDER BY seq LIMIT 1', [u, m]);
    await q('UPDATE inbox SET payload = $3, details = NULL WHERE user_id = $1 AND message_id = $2', [
      u,
      m,
      JSON.stringify({ type: 'message', unsent: true, message: { type: 'unsent', id: m } }),
    ]);
    const eventId = found.rows[0]?.event_id;
    if (eventId !== undefined) await q("UPDATE outbox SET messages = '[]' WHERE user_id = $1 AND event_id = $2 AND status <> 'pending'", [u, eventId]);
  }
  if (turn.inboxSeq !== undefined) {
    if (turn.deleteUserData) await q("UPDATE inbox SET status = 'done', payload = '{}', details = NULL WHERE seq = $1", [turn.inboxSeq]);
    else if (turn.messageDetails) await q("UPDATE inbox SET status = 'done', details = $2 WHERE seq = $1", [turn.inboxSeq, JSON.stringify(turn.messageDetails)]);
    else await q("UPDATE inbox SET status = 'done' WHERE seq = $1", [turn.inboxSeq]);
  }
}

/** Applies the migrations this database lacks, under an advisory lock: concurrent starts take turns. */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = POSTGRES_MIGRATIONS, log?: Logger): Promise<number[]> {
  return inTransaction(pool, async (q) => {
    await q('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [LOCK_MIGRATE]);
    await q(
      `CREATE TABLE IF NOT EXISTS akari_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const known = new Set((await q<{ version: number }>('SELECT version FROM akari_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (known.has(m.version)) continue;
      await q(m.sql);
      await q('INSERT INTO akari_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    const newest = Math.max(0, ...known);
    const ours = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > ours) log?.info({ databaseVersion: newest, ours }, 'the database schema is newer than this release (a rolling deploy); going on with it');
    if (applied.length > 0) log?.info({ applied }, 'database schema migrated');
    return applied;
  });
}

export interface PostgresStoreOptions {
  log?: Logger;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long a new connection may take before the store counts as unreachable (default 5 s). */
  connectTimeoutMs?: number;
}

/**
 * Opens the pool, checks the database answers and migrates it. Throws StoreOpenError (naming the
 * URL, password redacted) if it can't.
 */
export async function createPostgresStore(databaseUrl: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const log = options.log;
  const poolConfig = {
    connectionString: databaseUrl,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  };
  const pool = new pg.Pool({ ...poolConfig, max: options.poolSize ?? 10, application_name: 'akari' });
  // An idle connection that breaks (the server restarted) is dropped by the pool; without a
  // listener its error would end the process.
  pool.on('error', (err) => log?.warn({ err: err.message }, 'a PostgreSQL connection broke; it is replaced on next use'));
  // Session locks (a user's sends, the scheduler) hold a connection while their work runs on the
  // main pool: from a pool of their own, so that holders can never take every connection their
  // work is waiting for.
  // A send lock is held for one user's drain (milliseconds): ten cover many users at once, and a
  // busy moment waits for a free one rather than opening more.
  const lockPool = new pg.Pool({ ...poolConfig, max: 10, application_name: 'akari-locks' });
  lockPool.on('error', (err) => log?.warn({ err: err.message }, 'a PostgreSQL lock connection broke; its locks are released'));
  try {
    await pool.query('SELECT 1');
    await migratePostgres(pool, POSTGRES_MIGRATIONS, log);
  } catch (err) {
    await pool.end().catch(() => undefined);
    await lockPool.end().catch(() => undefined);
    const e = err instanceof StoreUnavailableError && err.context.cause ? err.context.cause : err;
    const reason = e instanceof Error ? e.message || (e as { code?: string }).code || e.name : String(e);
    throw new StoreOpenError(redactDatabaseUrl(databaseUrl), reason);
  }

  const query: Query = async (sql, params) => {
    try {
      return await pool.query(sql, params);
    } catch (err) {
      return unavailable(err);
    }
  };
  const tx = <T>(work: (q: Query) => Promise<T>) => inTransaction(pool, work);

  const connect = (from: pg.Pool = pool) => checkout(from);

  async function withSessionLock<T>(key1: number, key2Sql: string, key2: unknown[], wait: boolean, work: () => Promise<T>): Promise<Locked<T>> {
    const client = await connect(lockPool);
    let broken: Error | undefined;
    try {
      const fn = wait ? 'pg_advisory_lock' : 'pg_try_advisory_lock';
      const r = await client.query<{ ok: boolean | string }>(`SELECT ${fn}($1, ${key2Sql}) AS ok`, [key1, ...key2]);
      if (!wait && r.rows[0]?.ok !== true) return { locked: false };
      try {
        return { locked: true, value: await work() };
      } finally {
        await client.query(`SELECT pg_advisory_unlock($1, ${key2Sql})`, [key1, ...key2]).catch((e: Error) => {
          // The lock dies with the connection: destroying it releases the lock.
          broken = e;
        });
      }
    } catch (err) {
      broken ??= isConnectionError(err) ? (err as Error) : undefined;
      return unavailable(err);
    } finally {
      client.release(broken);
    }
  }

  const shared: SharedStore = {
    async withUserTurn(userId, work) {
      const client = await connect();
      const q = queryOn(client);
      let open = false;
      let broken: Error | undefined;
      try {
        // BEGIN and the lock in one round trip (a simple query: the user id goes in as a quoted literal).
        open = true;
        const results = (await client.query(
          `BEGIN; SELECT pg_try_advisory_xact_lock(${LOCK_TURN}, hashtext(current_schema() || ':' || ${client.escapeLiteral(userId)})) AS ok`,
        )) as unknown as Array<pg.QueryResult<{ ok: boolean }>>;
        if (results[1]?.rows[0]?.ok !== true) return { locked: false };
        // The turn reads the user's next event and then their conversation: one round trip for both
        // (the user is locked, so the conversation read with the event is the one the turn works on).
        let prefetched: { userId: string; conversation: StoredConversation | undefined } | undefined;
        const scoped: Store = {
          ...store,
          async nextInboxRow(u) {
            if (!open) return store.nextInboxRow(u);
            const next = await readInboxNextWithConversation(q, u).catch(unavailable);
            prefetched = next ? { userId: u, conversation: next.conversation } : undefined;
            return next?.row;
          },
          async loadConversation(u) {
            if (!open) return store.loadConversation(u);
            const p = prefetched;
            prefetched = undefined;
            if (p && p.userId === u) return p.conversation;
            return readConversation(q, u).catch(unavailable);
          },
          async commitTurn(turn) {
            if (!open) return store.commitTurn(turn);
            try {
              await writeTurn(q, turn);
              await client.query('COMMIT');
              open = false;
            } catch (err) {
              // Rolled back by the caller's finally (or already, by the failed COMMIT).
              return unavailable(err);
            }
          },
        };
        return { locked: true, value: await work(scoped) };
      } catch (err) {
        if (isConnectionError(err)) broken = err as Error;
        return unavailable(err);
      } finally {
        if (open) {
          await client.query('ROLLBACK').catch((e: Error) => {
            broken = e;
          });
        }
        client.release(broken);
      }
    },
    async usersWithWaitingEvents(minAgeMs) {
      const r = await query<{ user_id: string }>(
        `SELECT user_id FROM inbox WHERE status = 'pending' AND stored_at <= now() - make_interval(secs => $1::float8 / 1000)
          GROUP BY user_id ORDER BY MIN(stored_at) LIMIT 1000`,
        [minAgeMs],
      );
      return r.rows.map((x) => x.user_id);
    },
    withUserSend(userId, work) {
      return withSessionLock(LOCK_SEND, "hashtext(current_schema() || ':' || $2)", [userId], false, work);
    },
    async withSchedulerLock(work) {
      const r = await withSessionLock(LOCK_SCHEDULER, 'hashtext(current_schema())', [], true, work);
      if (!r.locked) throw new Error('scheduler lock not taken');
      return r.value;
    },
  };

  let closed = false;
  const store: Store = {
    kind: 'postgres',
    shared,
    async acceptEvents(events) {
      // One event (a webhook usually carries one): a single statement, committed on its own.
      const one = events.length === 1 ? events[0]! : undefined;
      const accepted = one
        ? (await insertEvent(query, one))
          ? [one]
          : []
        : await tx(async (q) => {
            const out: InboxEvent[] = [];
            for (const e of events) if (await insertEvent(q, e)) out.push(e);
            return out;
          });
      return { accepted, duplicates: events.length - accepted.length };
    },
    nextInboxRow: (userId) => readInboxNext(query, userId),
    async usersWithPendingInbox() {
      const r = await query<{ user_id: string }>("SELECT DISTINCT user_id FROM inbox WHERE status = 'pending' ORDER BY user_id");
      return r.rows.map((x) => x.user_id);
    },
    async recordInboxFailure(seq, error, park) {
      // Only a pending event can fail: a finished one must never come back (it would be answered twice).
      await query("UPDATE inbox SET attempts = attempts + 1, last_error = $1, status = $2 WHERE seq = $3 AND status = 'pending'", [
        errorText(error),
        park ? 'parked' : 'pending',
        seq,
      ]);
      const r = await query<InboxDbRow>('SELECT * FROM inbox WHERE seq = $1', [seq]);
      return r.rows[0] ? toInbox(r.rows[0]) : undefined;
    },
    async getInboxRow(eventId) {
      const r = await query<InboxDbRow>('SELECT * FROM inbox WHERE event_id = $1', [eventId]);
      return r.rows[0] ? toInbox(r.rows[0]) : undefined;
    },
    async hasNewerUserEvent(userId, eventId) {
      const r = await query(
        `SELECT 1 FROM inbox WHERE user_id = $1 AND seq > (SELECT seq FROM inbox WHERE event_id = $2)
           AND event_type IN ('message', 'postback') LIMIT 1`,
        [userId, eventId],
      );
      return r.rows.length > 0;
    },
    async messageDetails(userId, messageId) {
      const r = await query<{ event_id: string; details: string | null }>(
        'SELECT event_id, details FROM inbox WHERE user_id = $1 AND message_id = $2 ORDER BY seq LIMIT 1',
        [userId, messageId],
      );
      const row = r.rows[0];
      if (!row) return undefined;
      return { eventId: row.event_id, ...(row.details ? { details: JSON.parse(row.details) as MessageDetails } : {}) };
    },
    loadConversation: (userId) => readConversation(query, userId),
    async commitTurn(turn) {
      // An ordinary turn is one statement: atomic on its own, no transaction to open around it.
      if (isOrdinary(turn)) await writeOrdinaryTurn(query, turn);
      else await tx((q) => writeTurn(q, turn));
    },
    async pendingOutbox(userId) {
      const r = userId
        ? await query<OutboxDbRow>("SELECT * FROM outbox WHERE status = 'pending' AND user_id = $1 ORDER BY seq", [userId])
        : await query<OutboxDbRow>("SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq");
      return r.rows.map(toOutbox);
    },
    async getOutbox(id) {
      const r = await query<OutboxDbRow>('SELECT * FROM outbox WHERE id = $1', [id]);
      return r.rows[0] ? toOutbox(r.rows[0]) : undefined;
    },
    async outboxStatus(id) {
      const r = await query<{ status: OutboxStatus }>('SELECT status FROM outbox WHERE id = $1', [id]);
      return r.rows[0]?.status;
    },
    async markReplyAttempted(id) {
      await query('UPDATE outbox SET reply_attempted = true, attempts = attempts + 1 WHERE id = $1', [id]);
    },
    async markPushAttempted(id) {
      const r = await query("UPDATE outbox SET attempts = attempts + 1 WHERE id = $1 AND status = 'pending'", [id]);
      return (r.rowCount ?? 0) > 0;
    },
    async pushTurnStarted(userId, eventId) {
      const r = await query(
        "SELECT 1 FROM outbox WHERE user_id = $1 AND proactive AND event_id = $2 AND (attempts > 0 OR status = 'sent') LIMIT 1",
        [userId, eventId],
      );
      return r.rows.length > 0;
    },
    markOutboxSent(id, via, at) {
      // A proactive push sent (the first time) is a funnel record, in the stage the user is in.
      return tx(async (q) => {
        const r = await q<{ user_id: string; proactive: boolean; status: string }>('SELECT user_id, proactive, status FROM outbox WHERE id = $1 FOR UPDATE', [id]);
        await q("UPDATE outbox SET status = 'sent', sent_via = $1, sent_at = $2 WHERE id = $3", [via, at, id]);
        const b = r.rows[0];
        if (!b || !b.proactive || b.status === 'sent') return;
        const c = await q<{ stage: string; snapshot: string }>('SELECT stage, snapshot FROM conversations WHERE user_id = $1', [b.user_id]);
        const stored = c.rows[0];
        if (!stored) return;
        const scenario = scenarioOf(stored.stage, (JSON.parse(stored.snapshot) as { context?: { scenario?: unknown } } | null)?.context?.scenario);
        await q("INSERT INTO funnel (user_id, scenario, kind, from_stage, to_stage, at) VALUES ($1, $2, 'push', NULL, $3, $4)", [b.user_id, scenario, stored.stage, at]);
      });
    },
    async markOutboxFailed(id, error, final) {
      await query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, status = $2 WHERE id = $3 AND status = 'pending'", [
        errorText(error),
        final ? 'failed' : 'pending',
        id,
      ]);
    },
    async cancelOutbox(id, reason) {
      await query("UPDATE outbox SET status = 'cancelled', last_error = $1 WHERE id = $2 AND status = 'pending'", [errorText(reason), id]);
    },
    async countProactiveSentSince(userId, since) {
      const r = await query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM outbox WHERE user_id = $1 AND proactive AND status = 'sent' AND sent_at >= $2",
        [userId, since],
      );
      return r.rows[0]!.n;
    },
    async countPendingTimerEvents(userId) {
      const r = await query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM inbox WHERE user_id = $1 AND status = 'pending' AND event_id LIKE 'timer:%'",
        [userId],
      );
      return r.rows[0]!.n;
    },
    async dueTimers(now, limit) {
      const r = await query<TimerDbRow>("SELECT * FROM timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2", [now, limit]);
      return r.rows.map(toTimer);
    },
    async nextTimerDueAt() {
      const r = await query<{ due: number | null }>("SELECT MIN(due_at) AS due FROM timers WHERE status = 'pending'");
      return r.rows[0]?.due ?? undefined;
    },
    async pendingTimers(userId) {
      const r = await query<TimerDbRow>("SELECT * FROM timers WHERE user_id = $1 AND status = 'pending' ORDER BY due_at, id", [userId]);
      return r.rows.map(toTimer);
    },
    fireTimer(id, now) {
      return tx(async (q) => {
        // The row lock taken by the UPDATE makes a concurrent fire wait, then find it no longer pending.
        const r = await q<TimerDbRow>(
          "UPDATE timers SET status = 'fired' WHERE id = $1 AND status = 'pending' AND due_at <= $2 RETURNING *",
          [id, now],
        );
        const row = r.rows[0];
        if (!row) return undefined;
        const t = toTimer(row);
        const event: InboxEvent = {
          eventId: `timer:${t.id}`,
          userId: t.userId,
          payload: { type: 'timer', timer: { id: t.id, kind: t.kind, dueAt: t.dueAt, payload: t.payload } },
          receivedAt: now,
        };
        await insertEvent(q, event);
        return event;
      });
    },
    async rescheduleTimer(id, dueAt) {
      await query("UPDATE timers SET due_at = $1 WHERE id = $2 AND status = 'pending'", [dueAt, id]);
    },
    async cancelTimer(id) {
      await query("UPDATE timers SET status = 'cancelled' WHERE id = $1 AND status = 'pending'", [id]);
    },
    pruneFinished(before, limit) {
      // SKIP LOCKED: two instances pruning at once share the work instead of waiting on each other.
      return tx(async (q) => ({
        inbox:
          (
            await q(
              `DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE status <> 'pending' AND received_at < $1
                 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
              [before, limit],
            )
          ).rowCount ?? 0,
        outbox:
          (
            await q(
              `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE status <> 'pending' AND created_at < $1
                 AND (sent_at IS NULL OR sent_at < $1) ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
              [before, limit],
            )
          ).rowCount ?? 0,
        timers:
          (
            await q(
              `DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE status <> 'pending' AND created_at < $1
                 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
              [before, limit],
            )
          ).rowCount ?? 0,
      }));
    },
    async inboxBacklog() {
      const r = await query<{ n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM inbox WHERE status = 'pending'");
      const x = r.rows[0]!;
      return { pending: x.n, ...(x.oldest !== null ? { oldestReceivedAt: x.oldest } : {}) };
    },
    async timerBacklog(now) {
      const r = await query<{ n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(due_at) AS oldest FROM timers WHERE status = 'pending' AND due_at <= $1", [now]);
      const x = r.rows[0]!;
      return { due: x.n, ...(x.oldest !== null ? { oldestDueAt: x.oldest } : {}) };
    },
    async conversationsByStage() {
      const r = await query<{ stage: string; n: number }>('SELECT stage, COUNT(*) AS n FROM conversations GROUP BY stage');
      return Object.fromEntries(r.rows.map((x) => [x.stage, x.n]));
    },
    async funnelRecords() {
      const r = await query<{ user_id: string; scenario: string; kind: FunnelRecord['kind']; from_stage: string | null; to_stage: string; at: number }>(
        'SELECT * FROM funnel ORDER BY at, id',
      );
      return r.rows.map((x) => ({ userId: x.user_id, scenario: x.scenario, kind: x.kind, ...(x.from_stage !== null ? { from: x.from_stage } : {}), to: x.to_stage, at: x.at }));
    },
    async conversationStages() {
      const r = await query<{ user_id: string; stage: string; updated_at: number }>('SELECT user_id, stage, updated_at FROM conversations ORDER BY user_id');
      return r.rows.map((x) => ({ userId: x.user_id, stage: x.stage, updatedAt: x.updated_at }));
    },
    async ping() {
      // A write, not just a read: a database that went read-only (a failover to a standby, a full
      // disk on the server) is not ready for webhooks.
      await query('INSERT INTO health (id, checked_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at');
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([pool.end(), lockPool.end()]);
    },
  };
  return store;
}
