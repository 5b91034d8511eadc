import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, sqlitePathFromUrl } from '../../src/store/sqlite-store.ts';
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

  it('closes twice without complaint', async () => {
    const store = createSqliteStore('file::memory:');
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
