import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPostgresStore, migratePostgres, redactDatabaseUrl, StoreOpenError } from '../../src/store/postgres-store.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.ts';
import { createTestSchema, droppingSchemaOnClose, querySchema } from '../support/postgres.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('postgres (a schema per test)', async () => {
  const schema = await createTestSchema('store');
  return droppingSchemaOnClose(await createPostgresStore(schema.url), schema);
});

describe('postgres store specifics', () => {
  it('migrates once when several instances start at the same time', async () => {
    const schema = await createTestSchema('migrate');
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => createPostgresStore(schema.url)));
      const versions = await querySchema<{ version: number }>(schema, 'SELECT version FROM akari_migrations ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      // A later start finds nothing to do.
      const pool = new pg.Pool({ connectionString: schema.url, max: 1 });
      expect(await migratePostgres(pool)).toEqual([]);
      await pool.end();
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await schema.drop();
    }
  });

  it('migrates a database made by an earlier release, keeping its rows usable', async () => {
    const schema = await createTestSchema('upgrade');
    const pool = new pg.Pool({ connectionString: schema.url, max: 1 });
    try {
      // The schema of the first two migrations, with an event stored by that release.
      expect(await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 2))).toEqual([1, 2]);
      const payload = { type: 'message', message: { type: 'text', id: 'M-old', text: '古いメッセージ' } };
      await pool.query("INSERT INTO inbox (event_id, user_id, event_type, payload, received_at, status) VALUES ('E-old', 'U1', 'message', $1, 1, 'done')", [JSON.stringify(payload)]);
      const store = await createPostgresStore(schema.url);
      try {
        expect((await querySchema<{ version: number }>(schema, 'SELECT version FROM akari_migrations ORDER BY version')).map((r) => r.version)).toEqual(
          POSTGRES_MIGRATIONS.map((m) => m.version),
        );
        // The message stored before the upgrade is found by its LINE id (unsend), and ping writes.
        expect(await store.messageDetails('U1', 'M-old')).toEqual({ eventId: 'E-old' });
        await store.ping();
      } finally {
        await store.close();
      }
    } finally {
      await pool.end();
      await schema.drop();
    }
  });

  it('keeps everything across a close and reopen', async () => {
    const schema = await createTestSchema('reopen');
    try {
      const first = await createPostgresStore(schema.url);
      await first.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: { type: 'message' }, receivedAt: 1 }]);
      await first.commitTurn({ userId: 'U1', conversation: { userId: 'U1', machineVersion: 1, stage: 'call', snapshot: { value: 'call' }, updatedAt: 2 } });
      await first.close();
      const second = await createPostgresStore(schema.url);
      expect((await second.nextInboxRow('U1'))?.eventId).toBe('E1');
      expect((await second.loadConversation('U1'))?.stage).toBe('call');
      await second.close();
    } finally {
      await schema.drop();
    }
  });

  it('lets one instance at a time hold a user’s turn; the lock goes with the transaction', async () => {
    const schema = await createTestSchema('locks');
    const a = await createPostgresStore(schema.url);
    const b = await createPostgresStore(schema.url);
    try {
      await a.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: { type: 'message' }, receivedAt: 1 }]);
      let inner: unknown;
      const outer = await a.shared!.withUserTurn('U1', async (scoped) => {
        // While A holds U1, B can't; another user is free.
        inner = await b.shared!.withUserTurn('U1', async () => 'b ran');
        expect(await b.shared!.withUserTurn('U2', async () => 'other user')).toEqual({ locked: true, value: 'other user' });
        const row = await scoped.nextInboxRow('U1');
        await scoped.commitTurn({ userId: 'U1', inboxSeq: row!.seq });
        // Committed: the lock is gone with the transaction.
        expect(await b.shared!.withUserTurn('U1', async (s) => s.nextInboxRow('U1'))).toEqual({ locked: true, value: undefined });
        return row!.eventId;
      });
      expect(inner).toEqual({ locked: false });
      expect(outer).toEqual({ locked: true, value: 'E1' });
      expect((await a.getInboxRow('E1'))?.status).toBe('done');

      // A turn that throws before its commit leaves the event pending.
      await a.acceptEvents([{ eventId: 'E2', userId: 'U1', payload: { type: 'message' }, receivedAt: 2 }]);
      await expect(
        a.shared!.withUserTurn('U1', async (scoped) => {
          const row = await scoped.nextInboxRow('U1');
          await scoped.commitTurn({ userId: 'U1', inboxSeq: row!.seq, outbox: [{ id: 'same', userId: 'U1', messages: [], proactive: false, createdAt: 1 }, { id: 'same', userId: 'U1', messages: [], proactive: false, createdAt: 1 }] });
        }),
      ).rejects.toThrow();
      expect((await a.getInboxRow('E2'))?.status).toBe('pending');
      expect(await b.shared!.withUserTurn('U1', async () => 'free again')).toEqual({ locked: true, value: 'free again' });

      // Send locks: one holder per user.
      const sends = await a.shared!.withUserSend('U1', () => b.shared!.withUserSend('U1', async () => 'b sent'));
      expect(sends).toEqual({ locked: true, value: { locked: false } });
      expect(await b.shared!.withUserSend('U1', async () => 'b sent')).toEqual({ locked: true, value: 'b sent' });
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });

  it('lists users whose events have waited, by the database clock, oldest first', async () => {
    const schema = await createTestSchema('waiting');
    const store = await createPostgresStore(schema.url);
    try {
      await store.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: { type: 'message' }, receivedAt: 1 }]);
      await store.acceptEvents([{ eventId: 'E2', userId: 'U2', payload: { type: 'message' }, receivedAt: 1 }]);
      expect(await store.shared!.usersWithWaitingEvents(60_000)).toEqual([]);
      await querySchema(schema, "UPDATE inbox SET stored_at = now() - interval '10 seconds' WHERE event_id = 'E2'");
      expect(await store.shared!.usersWithWaitingEvents(5_000)).toEqual(['U2']);
      expect(await store.shared!.usersWithWaitingEvents(0)).toEqual(['U2', 'U1']);
      const row = await store.nextInboxRow('U2');
      await store.commitTurn({ userId: 'U2', inboxSeq: row!.seq });
      expect(await store.shared!.usersWithWaitingEvents(0)).toEqual(['U1']);
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  it('refuses to start on an unreachable or unknown database, naming it with the password redacted', async () => {
    await expect(createPostgresStore('postgres://akari:s3cret@127.0.0.1:1/akari', { connectTimeoutMs: 2000 })).rejects.toThrow(
      /DATABASE_URL=postgres:\/\/akari:\*\*\*@127\.0\.0\.1:1\/akari.*ECONNREFUSED/,
    );
    const err = await createPostgresStore('postgres://postgres:s3cret@127.0.0.1:5432/akari_no_such_db').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(String((err as Error).message)).toContain('akari_no_such_db');
    expect(String((err as Error).message)).not.toContain('s3cret');
    expect(redactDatabaseUrl('postgres://u:p%40ss@h:5432/d?x=1')).toBe('postgres://u:***@h:5432/d?x=1');
    expect(redactDatabaseUrl('postgres://u@h/d?password=p4ss&sslmode=require')).not.toContain('p4ss');
  });
});
