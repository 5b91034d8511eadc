/**
 * The embedded scheduler: the Store-port scheduler over the SQLite store. Runs the scheduler
 * contract, then what only a real file can show: a second OS process racing for the same timers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStoreScheduler } from '../../src/scheduler/store-scheduler.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { addTimer, jst, runSchedulerContract, storeSchedulerFixture, type SchedulerFactory, type SchedulerFixture } from './scheduler-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'akari-scheduler-'));
let n = 0;
const fileUrl = () => `file:${join(dir, `scheduler-${++n}.db`)}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const locations = new WeakMap<SchedulerFixture, string>();

const sqliteFactory: SchedulerFactory = async (opts) => {
  const url = opts.sameStorageAs ? locations.get(opts.sameStorageAs)! : fileUrl();
  const store = createSqliteStore(url);
  const fx = storeSchedulerFixture(store, opts);
  locations.set(fx, url);
  return fx;
};

runSchedulerContract('store scheduler over SQLite', sqliteFactory);

describe('store scheduler over SQLite: another OS process on the same file', () => {
  const worker = fileURLToPath(new URL('./fire-worker.ts', import.meta.url));

  /** Starts a worker process that opens the file and fires due timers when told "go". */
  function startWorker(url: string, now: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, url, now], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    // Listened for from the start: the worker may be done and gone before the test waits for it.
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const next = () => new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    return { child, next, exited, go: () => child.stdin!.write('go\n') };
  }

  it('fires each due timer exactly once when two processes run their schedulers at the same time', async () => {
    const url = fileUrl();
    const store: Store = createSqliteStore(url);
    const TOTAL = 1500;
    try {
      for (let i = 0; i < TOTAL; i += 100) {
        await store.commitTurn({
          userId: 'seed',
          scheduleTimers: Array.from({ length: 100 }, (_, k) => ({
            id: `t${String(i + k).padStart(5, '0')}`,
            userId: `U${String(i + k).padStart(5, '0')}`,
            kind: 'followUp',
            dueAt: jst('2026-12-01T09:00') + i + k,
            payload: null,
            createdAt: 0,
          })),
        });
      }
      const log = createLogger({ level: 'silent', pretty: false });
      const clock = createFakeClock('2026-12-01T10:00');
      const mine: string[] = [];
      const scheduler = createStoreScheduler({ store, clock, log, onFired: (u) => mine.push(u), autoRun: false });

      const w = startWorker(url, clock.now().toISOString());
      expect(await w.next()).toBe('ready');
      const theirsLine = w.next();
      w.go();
      const ours = await scheduler.runDue();
      const theirs = JSON.parse(await theirsLine) as { fired: number; users: string[] };
      await w.exited;

      expect(ours).toBe(mine.length);
      expect(ours + theirs.fired).toBe(TOTAL);
      expect(new Set([...mine, ...theirs.users]).size).toBe(TOTAL);
      expect(await store.nextTimerDueAt()).toBeUndefined();
      expect((await store.usersWithPendingInbox()).length).toBe(TOTAL);
    } finally {
      await store.close();
    }
  });
});
