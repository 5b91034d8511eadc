/**
 * A second process for tests/scheduler/sqlite-scheduler.test.ts: opens the SQLite file given on the
 * command line, says "ready", waits for "go" on stdin, fires every due timer at the given instant
 * and prints {"fired": n, "users": [...]}. Run with `node --import tsx`.
 */
import { createInterface } from 'node:readline';
import { createLogger } from '../../src/log/create-logger.ts';
import { createStoreScheduler } from '../../src/scheduler/store-scheduler.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { createFakeClock } from '../../src/time/clock.ts';

const [url, now] = process.argv.slice(2);
if (!url || !now) throw new Error('usage: fire-worker.ts <database url> <ISO instant>');

const store = createSqliteStore(url);
const users: string[] = [];
const scheduler = createStoreScheduler({
  store,
  clock: createFakeClock(now),
  log: createLogger({ level: 'silent', pretty: false }),
  onFired: (userId) => users.push(userId),
  autoRun: false,
});

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
lines.once('line', () => {
  void scheduler.runDue().then(async (fired) => {
    process.stdout.write(`${JSON.stringify({ fired, users })}\n`);
    lines.close();
    await store.close();
  });
});
