/**
 * A process for tests/store/wal-checkpointer.test.ts: opens the SQLite file given on the command
 * line, commits a turn, closes the store with nothing else keeping the process alive, and prints
 * "closed" once close() has resolved. Run with `node --import tsx`.
 */
import { randomUUID } from 'node:crypto';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';

const [url] = process.argv.slice(2);
if (!url) throw new Error('usage: close-script.ts <database url>');

const store = createSqliteStore(url);
await store.commitTurn({
  userId: 'Uclose',
  outbox: [{ id: randomUUID(), userId: 'Uclose', messages: [{ type: 'text', text: 'またね' }], proactive: false, createdAt: 1 }],
});
await store.close();
process.stdout.write('closed\n');
