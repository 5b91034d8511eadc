/**
 * The PostgreSQL schema, as numbered migrations. The app applies the missing ones at start, in
 * order, in one transaction under an advisory lock (see `migratePostgres`), and records each in
 * `akari_migrations`: two instances starting at once take turns, and the second finds nothing to do.
 *
 * Rules for adding one: append, never edit an applied one; during a rolling deploy the previous
 * release runs on the new schema, so a migration must leave what that release reads and writes
 * working (add columns with defaults, add tables; drop things one release later).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'inbox, conversations, outbox, timers',
    sql: `
CREATE TABLE inbox (
  seq BIGSERIAL PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  -- The webhook event's type, kept beside the payload: "has the user written since?" reads it alone.
  event_type TEXT,
  payload TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX inbox_pending ON inbox (user_id, seq) WHERE status = 'pending';
CREATE INDEX inbox_user ON inbox (user_id, seq);
CREATE INDEX inbox_finished ON inbox (received_at) WHERE status <> 'pending';

CREATE TABLE conversations (
  user_id TEXT PRIMARY KEY,
  machine_version INTEGER NOT NULL,
  stage TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE outbox (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  event_id TEXT,
  messages TEXT NOT NULL,
  reply_token TEXT,
  reply_token_at BIGINT,
  proactive BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  reply_attempted BOOLEAN NOT NULL DEFAULT false,
  sent_via TEXT,
  sent_at BIGINT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (user_id, seq) WHERE status = 'pending';
CREATE INDEX outbox_proactive ON outbox (user_id, sent_at) WHERE proactive;
CREATE INDEX outbox_finished ON outbox (created_at) WHERE status <> 'pending';

CREATE TABLE timers (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at BIGINT NOT NULL
);
CREATE INDEX timers_due ON timers (due_at, id) WHERE status = 'pending';
CREATE INDEX timers_user ON timers (user_id) WHERE status = 'pending';
CREATE INDEX timers_finished ON timers (created_at) WHERE status <> 'pending';
`,
  },
  {
    version: 2,
    name: 'inbox: when each event was stored, by the database clock',
    // What the other instances' poll looks for: events left pending for a while (a killed instance's,
    // one left for a newer release), by the server's clock, whatever clock each instance runs on.
    // Existing rows take the time of the migration (no rewrite of the table).
    sql: `
ALTER TABLE inbox ADD COLUMN stored_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX inbox_waiting ON inbox (stored_at) WHERE status = 'pending';
`,
  },
  {
    version: 3,
    name: "inbox: LINE's message id, and what a message's turn took from it (unsend)",
    // Unsend names the message, not the event: its id is kept beside the payload (filled in for the
    // rows already there), and `details` holds what its turn changed, to undo if it is unsent.
    sql: `
ALTER TABLE inbox ADD COLUMN message_id TEXT;
ALTER TABLE inbox ADD COLUMN details TEXT;
UPDATE inbox SET message_id = payload::jsonb -> 'message' ->> 'id'
  WHERE payload LIKE '%"message"%' AND strpos(payload, chr(92) || 'u0000') = 0;
CREATE INDEX inbox_message ON inbox (user_id, message_id) WHERE message_id IS NOT NULL;
`,
  },
  {
    version: 4,
    name: 'health: written by ping, so that /readyz proves the database takes writes',
    sql: `
CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TIMESTAMPTZ NOT NULL);
`,
  },
  {
    version: 5,
    name: 'funnel: stage changes, proactive pushes and the replies to them (no message text)',
    sql: `
CREATE TABLE funnel (
  id BIGSERIAL PRIMARY KEY,
  user_id TEXT NOT NULL,
  scenario TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_stage TEXT,
  to_stage TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX funnel_user ON funnel (user_id, id);
`,
  },
];
