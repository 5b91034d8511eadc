import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, sqlitePathFromUrl, StoreLockedError, StoreMissingError, StoreUnavailableError } from '../../src/store/sqlite-store.ts';
import { runStoreContract } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'akari-store-'));
let n = 0;
const fileUrl = () => `file:${join(dir, `store-${++n}.db`)}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('sqlite (temp file)', () => createSqliteStore(fileUrl()));
runStoreContract('sqlite (file::memory:)', () => createSqliteStore('file::memory:'));

describe('sqlite store specifics', () => {
  it('reads file: URLs as paths and file::memory: as an in-memory database', () => {
    expect(sqlitePathFromUrl('file::memory:')).toBe(':memory:');
    expect(sqlitePathFromUrl('file:/tmp/x/akari.db')).toBe('/tmp/x/akari.db');
    expect(sqlitePathFromUrl('file:///tmp/x/akari.db')).toBe('/tmp/x/akari.db');
    expect(sqlitePathFromUrl('file:./data/akari.db')).toBe(join(process.cwd(), 'data/akari.db'));
  });

  it('creates missing directories for the database file', async () => {
    const url = `file:${join(dir, 'deep', 'er', 'akari.db')}`;
    const store = createSqliteStore(url);
    await store.ping();
    await store.close();
  });

  it('keeps everything across a close and reopen of the same file', async () => {
    const url = fileUrl();
    const first = createSqliteStore(url);
    await first.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: { type: 'message' }, receivedAt: 1 }]);
    await first.commitTurn({
      userId: 'U1',
      conversation: { userId: 'U1', machineVersion: 1, stage: 'call', snapshot: { value: 'call' }, updatedAt: 2 },
      outbox: [{ id: '00000000-0000-4000-8000-000000000001', userId: 'U1', messages: [{ type: 'text', text: 'x' }], proactive: false, createdAt: 2 }],
      scheduleTimers: [{ id: 't1', userId: 'U1', kind: 'k', dueAt: 10, payload: null, createdAt: 2 }],
    });
    await first.close();

    const second = createSqliteStore(url);
    try {
      expect((await second.nextInboxRow('U1'))?.eventId).toBe('E1');
      expect((await second.loadConversation('U1'))?.stage).toBe('call');
      expect(await second.pendingOutbox()).toHaveLength(1);
      expect(await second.pendingTimers('U1')).toHaveLength(1);
      expect(await second.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 3 }])).toEqual({ accepted: [], duplicates: 1 });
    } finally {
      await second.close();
    }
  });

  it('fires a timer once when two processes (connections) on one file race for it', async () => {
    const url = fileUrl();
    const a = createSqliteStore(url);
    const b = createSqliteStore(url);
    try {
      await a.commitTurn({ userId: 'U1', scheduleTimers: [{ id: 'race', userId: 'U1', kind: 'k', dueAt: 10, payload: null, createdAt: 1 }] });
      const results = await Promise.all([a.fireTimer('race', 10), b.fireTimer('race', 10), b.fireTimer('race', 11), a.fireTimer('race', 12)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await b.countPendingTimerEvents('U1')).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('makes a write visible to other connections only once its promise resolves', async () => {
    const url = fileUrl();
    const store = createSqliteStore(url);
    const reader = new Database(sqlitePathFromUrl(url), { readonly: true });
    const count = (table: string) => (reader.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    try {
      const accepted = store.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 1 }]);
      const turn = store.commitTurn({
        userId: 'U2',
        outbox: [{ id: '00000000-0000-4000-8000-000000000009', userId: 'U2', messages: [], proactive: false, createdAt: 1 }],
      });
      // Asked for, not yet committed: nobody else can see them, and nobody has been told they are.
      expect([count('inbox'), count('outbox')]).toEqual([0, 0]);
      await Promise.all([accepted, turn]);
      expect([count('inbox'), count('outbox')]).toEqual([1, 1]);
    } finally {
      reader.close();
      await store.close();
    }
  });

  it('undoes a turn that fails halfway and rejects it alone; writes grouped with it still commit', async () => {
    const store = createSqliteStore('file::memory:');
    const batchId = '00000000-0000-4000-8000-000000000001';
    const conv = (stage: string) => ({ userId: 'U1', machineVersion: 1, stage, snapshot: { value: stage }, updatedAt: 1 });
    const outbox = { id: batchId, userId: 'U1', messages: [], proactive: false, createdAt: 1 };
    try {
      await store.commitTurn({ userId: 'U1', conversation: conv('situation'), outbox: [outbox] });
      // The same batch id again fails after the conversation has been written, inside one group.
      const failing = store.commitTurn({ userId: 'U1', conversation: conv('call'), outbox: [outbox] });
      const other = store.acceptEvents([{ eventId: 'E2', userId: 'U2', payload: {}, receivedAt: 1 }]);
      await expect(failing).rejects.toThrow(/UNIQUE/);
      await expect(other).resolves.toMatchObject({ duplicates: 0 });
      expect((await store.loadConversation('U1'))?.stage).toBe('situation');
      expect(await store.pendingOutbox('U1')).toHaveLength(1);
      expect((await store.nextInboxRow('U2'))?.eventId).toBe('E2');
    } finally {
      await store.close();
    }
  });

  it('commits writes still queued when it is closed', async () => {
    const url = fileUrl();
    const first = createSqliteStore(url);
    const accepted = first.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 1 }]);
    await first.close();
    await expect(accepted).resolves.toMatchObject({ duplicates: 0 });
    const second = createSqliteStore(url);
    try {
      expect((await second.nextInboxRow('U1'))?.eventId).toBe('E1');
      await expect(first.acceptEvents([{ eventId: 'E2', userId: 'U1', payload: {}, receivedAt: 2 }])).rejects.toThrow();
    } finally {
      await second.close();
    }
  });

  it('opens a database made before batches recorded their event, keeping its batches', async () => {
    const url = fileUrl();
    const old = new Database(sqlitePathFromUrl(url));
    old.exec(`CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, messages TEXT NOT NULL,
      reply_token TEXT, reply_token_at INTEGER, proactive INTEGER NOT NULL, created_at INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, reply_attempted INTEGER NOT NULL DEFAULT 0,
      sent_via TEXT, sent_at INTEGER, last_error TEXT)`);
    old.prepare("INSERT INTO outbox (id, user_id, messages, proactive, created_at) VALUES ('00000000-0000-4000-8000-0000000000aa', 'U1', '[]', 0, 1)").run();
    old.close();

    const store = createSqliteStore(url);
    try {
      const [kept] = await store.pendingOutbox('U1');
      expect(kept).toMatchObject({ id: '00000000-0000-4000-8000-0000000000aa', status: 'pending' });
      expect(kept?.eventId).toBeUndefined();
      const fresh = { id: '00000000-0000-4000-8000-0000000000bb', userId: 'U1', eventId: 'E9', messages: [], proactive: false, createdAt: 2 };
      await store.commitTurn({ userId: 'U1', outbox: [fresh] });
      expect((await store.getOutbox(fresh.id))?.eventId).toBe('E9');
    } finally {
      await store.close();
    }
  });

  it('fails the writes of a group at once while another process holds the lock, and carries on after', async () => {
    const url = fileUrl();
    const store = createSqliteStore(url, { busyTimeoutMs: 50 });
    const other = new Database(sqlitePathFromUrl(url));
    try {
      other.exec('BEGIN IMMEDIATE');
      const writes = [
        store.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 1 }]),
        store.commitTurn({ userId: 'U2', conversation: { userId: 'U2', machineVersion: 1, stage: 'call', snapshot: {}, updatedAt: 1 } }),
      ];
      for (const w of writes) await expect(w).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      other.exec('ROLLBACK');
      await store.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 1 }]);
      expect((await store.nextInboxRow('U1'))?.eventId).toBe('E1');
      expect(await store.loadConversation('U2')).toBeUndefined();
    } finally {
      other.close();
      await store.close();
    }
  });

  it("leaves none of a user's words in the database file once their data is deleted", async () => {
    const url = fileUrl();
    const path = sqlitePathFromUrl(url);
    // Distinct words in each place the user's details end up: the event, the conversation, the outbox, a timer.
    const words = { event: '面接先ミライ商事の件で', conversation: '佐藤健太郎', outbox: '株式会社ミライ商事様', timer: '再確認の予定です' };
    const store = createSqliteStore(url);
    await store.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: { type: 'message', message: { text: words.event } }, receivedAt: 1 }]);
    await store.commitTurn({
      userId: 'U1',
      inboxSeq: (await store.nextInboxRow('U1'))!.seq,
      conversation: { userId: 'U1', machineVersion: 1, stage: 'call', snapshot: { context: { userName: words.conversation } }, updatedAt: 2 },
      outbox: [{ id: '00000000-0000-4000-8000-0000000000d1', userId: 'U1', messages: [{ type: 'text', text: words.outbox }], proactive: false, createdAt: 2 }],
      scheduleTimers: [{ id: 't1', userId: 'U1', kind: 'checkIn', dueAt: 10, payload: { note: words.timer }, createdAt: 2 }],
    });
    // Another user's rows on the same pages stay.
    await store.acceptEvents([{ eventId: 'E2', userId: 'U2', payload: { type: 'message', message: { text: 'ほかの人の文章' } }, receivedAt: 3 }]);
    await store.commitTurn({ userId: 'U1', deleteUserData: true, conversation: null });
    await store.close();

    expect(existsSync(`${path}-wal`)).toBe(false);
    const file = readFileSync(path);
    for (const [where, text] of Object.entries(words)) {
      expect(file.includes(Buffer.from(text)), `${where}: 「${text}」 is still in the file`).toBe(false);
    }
    expect(file.includes(Buffer.from('ほかの人の文章'))).toBe(true);
  });

  it('closes twice without complaint', async () => {
    const store = createSqliteStore('file::memory:');
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('sqlite store: one process per file, and faults that /readyz must see', () => {
  it('refuses a second exclusive store on the same file, naming the holder, and lets it in once the first closes', async () => {
    const url = fileUrl();
    const first = createSqliteStore(url, { exclusive: true });
    let refusal: unknown;
    try {
      createSqliteStore(url, { exclusive: true });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(StoreLockedError);
    expect((refusal as StoreLockedError).holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    expect((refusal as Error).message).toContain('PostgreSQL');
    // A tool that only reads the file is not refused.
    const reader = createSqliteStore(url);
    await reader.ping();
    await reader.close();
    await first.close();
    const second = createSqliteStore(url, { exclusive: true });
    await second.ping();
    await second.close();
  });

  it('fails ping, and refuses new events, once the database file is deleted under it', async () => {
    const url = fileUrl();
    const store = createSqliteStore(url, { walCheckpoint: false });
    await store.ping();
    rmSync(sqlitePathFromUrl(url));
    await expect(store.ping()).rejects.toThrow(/is gone/);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 1 }])).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });

  it('refuses to start afresh where its database vanished (the lock file is still there), until told to by deleting the lock file', async () => {
    const url = fileUrl();
    const path = sqlitePathFromUrl(url);
    const first = createSqliteStore(url, { exclusive: true });
    await first.acceptEvents([{ eventId: 'E1', userId: 'U1', payload: {}, receivedAt: 1 }]);
    await first.close();
    rmSync(path);
    expect(() => createSqliteStore(url, { exclusive: true })).toThrow(StoreMissingError);
    expect(() => createSqliteStore(url, { exclusive: true })).toThrow(/\.lock/);
    rmSync(`${path}.lock`);
    const fresh = createSqliteStore(url, { exclusive: true });
    expect(await fresh.getInboxRow('E1')).toBeUndefined();
    await fresh.close();
  });

  it('fails ping once the database file is replaced by another one', async () => {
    const url = fileUrl();
    const path = sqlitePathFromUrl(url);
    const store = createSqliteStore(url, { walCheckpoint: false });
    renameSync(path, `${path}.moved`);
    writeFileSync(path, '');
    await expect(store.ping()).rejects.toThrow(/replaced/);
    await store.close();
  });

  it('fails ping when the disk has less room than the store needs', async () => {
    const store = createSqliteStore(fileUrl(), { minFreeBytes: Number.MAX_SAFE_INTEGER });
    await expect(store.ping()).rejects.toThrow(/full/);
    await store.close();
  });
});
