import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { startWalCheckpointer, type CheckpointResult } from '../../src/store/wal-checkpointer.ts';
import type { Store } from '../../src/store/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'akari-wal-'));
let n = 0;
const dbPath = () => join(dir, `wal-${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Enough turns to put some hundreds of pages in the WAL. */
async function writeTurns(store: Store, count: number): Promise<void> {
  const text = 'お電話の準備をしましょう。'.repeat(40);
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      store.commitTurn({
        userId: `U${i % 10}`,
        conversation: { userId: `U${i % 10}`, machineVersion: 1, stage: 'call', snapshot: { i, text }, updatedAt: i },
        outbox: [{ id: randomUUID(), userId: `U${i % 10}`, messages: [{ type: 'text', text }], proactive: false, createdAt: i }],
      }),
    ),
  );
}

function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check();
      if (value !== undefined) resolve(value);
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/** Every connection to the file is closed (SQLite removes the WAL only then), and nothing is lost. */
async function expectClosedCleanly(path: string, pendingBatches: number): Promise<void> {
  expect(existsSync(`${path}-wal`)).toBe(false);
  const reopened = createSqliteStore(`file:${path}`, { walCheckpoint: false });
  try {
    expect(await reopened.pendingOutbox()).toHaveLength(pendingBatches);
  } finally {
    await reopened.close();
  }
}

describe('WAL checkpoints on a worker thread', () => {
  it('copies committed pages from the WAL into the database file without the store asking', async () => {
    const path = dbPath();
    const checkpoints: CheckpointResult[] = [];
    const store = createSqliteStore(`file:${path}`, { walCheckpoint: { intervalMs: 20, onCheckpoint: (r) => checkpoints.push(r) } });
    try {
      const sizeBefore = statSync(path).size;
      await writeTurns(store, 200);
      // The store's own connection only checkpoints past BACKSTOP_PAGES: a full copy here is the worker's.
      const done = await waitFor('a complete checkpoint', () => checkpoints.find((c) => c.log > 100 && c.checkpointed === c.log));
      expect(done.log).toBeLessThan(10_000);
      expect(statSync(path).size).toBeGreaterThan(sizeBefore + 100 * 4096);
      expect(await store.pendingOutbox()).toHaveLength(200);
    } finally {
      await store.close();
    }
  });

  it('stays quiet while nothing is written', async () => {
    const checkpoints: CheckpointResult[] = [];
    const store = createSqliteStore(`file:${dbPath()}`, { walCheckpoint: { intervalMs: 10, onCheckpoint: (r) => checkpoints.push(r) } });
    try {
      await writeTurns(store, 20);
      await waitFor('a complete checkpoint', () => checkpoints.find((c) => c.log > 0 && c.checkpointed === c.log));
      const seen = checkpoints.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(checkpoints).toHaveLength(seen);
    } finally {
      await store.close();
    }
  });

  it('stops with the store, which then leaves no WAL behind', async () => {
    const path = dbPath();
    const store = createSqliteStore(`file:${path}`, { walCheckpoint: { intervalMs: 20 } });
    await writeTurns(store, 50);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    await expectClosedCleanly(path, 50);
  });

  it('finishes closing in a process that has nothing else to wait for', async () => {
    // The worker doesn't keep a process alive (a store nobody closes must not), but a close() that
    // was asked for must still run to its end: both connections closed, the WAL folded in.
    const path = dbPath();
    const script = fileURLToPath(new URL('./close-script.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, `file:${path}`], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
      // A close that hangs fails the test rather than leave the process behind.
      timeout: 15_000,
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // 'close', not 'exit': only then has all of its output been read.
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({ code, out }).toEqual({ code: 0, out: 'closed\n' });
    await expectClosedCleanly(path, 1);
  });

  it('checkpoints nothing more once closed', async () => {
    const path = dbPath();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const checkpoints: CheckpointResult[] = [];
    const failures: Error[] = [];
    const checkpointer = startWalCheckpointer({ path, intervalMs: 10, onCheckpoint: (r) => checkpoints.push(r), onFailure: (e) => failures.push(e) });
    try {
      insert.run('a'.repeat(5000));
      await waitFor('a checkpoint', () => checkpoints.find((c) => c.log > 0 && c.checkpointed === c.log));
      await checkpointer.close();
      const seen = checkpoints.length;
      for (let i = 0; i < 20; i++) insert.run('b'.repeat(5000));
      await new Promise((r) => setTimeout(r, 200));
      expect(checkpoints).toHaveLength(seen);
      expect(failures).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('reports a worker that cannot work (here: no database file), and close() still resolves', async () => {
    const failures: Error[] = [];
    const checkpointer = startWalCheckpointer({ path: join(dir, 'missing', 'nothing.db'), onFailure: (e) => failures.push(e) });
    await waitFor('the failure', () => failures[0]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/unable to open|does not exist|no such file/i);
    await checkpointer.close();
  });

  it('is not started for an in-memory database', async () => {
    const checkpoints: CheckpointResult[] = [];
    const store = createSqliteStore('file::memory:', { walCheckpoint: { intervalMs: 10, onCheckpoint: (r) => checkpoints.push(r) } });
    try {
      await writeTurns(store, 20);
      await new Promise((r) => setTimeout(r, 100));
      expect(checkpoints).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});
