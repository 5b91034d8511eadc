/**
 * Moves SQLite's WAL checkpoints off the event loop.
 *
 * In WAL mode every commit appends pages to the `-wal` file; a checkpoint copies them back into the
 * database file and syncs both to disk. Left to SQLite, the commit that pushes the WAL past 1000
 * pages runs that checkpoint itself, on the thread that committed: here, the event loop, which then
 * stalls for as long as the copy and the two fsyncs take (~20 ms on the machine the benchmark runs on,
 * once a second or so under load) while every webhook waits for its 200.
 *
 * Instead a worker thread with its own connection to the same file runs a PASSIVE checkpoint every
 * `intervalMs`: it copies what it can without taking any lock the event loop's writes need, and the
 * fsyncs happen on the worker. The event loop's connection keeps an automatic checkpoint only as a
 * backstop, at a much larger WAL (`BACKSTOP_PAGES`), in case the worker ever falls behind; if the
 * worker fails, the store goes back to SQLite's default (`onFailure`).
 *
 * The worker is plain JavaScript (evaluated, CommonJS) so that it runs the same under tsx and from
 * compiled JS, and it loads the same better-sqlite3 the store uses.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The event loop's own automatic checkpoint while the worker runs: ~40 MB of WAL with 4 KiB pages. */
export const BACKSTOP_PAGES = 10_000;
/** SQLite's default, restored when the worker is gone. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface CheckpointResult {
  /** Pages in the WAL when the checkpoint ran. */
  log: number;
  /** Pages copied into the database file (all of them once it caught up). */
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** The database file (not `:memory:`). */
  path: string;
  intervalMs?: number;
  /** After each checkpoint that found new pages in the WAL. */
  onCheckpoint?: (result: CheckpointResult) => void;
  /** The worker failed or exited on its own: checkpoints are back on the caller's side. */
  onFailure: (error: Error) => void;
}

export interface WalCheckpointer {
  /** Stops the worker and closes its connection (before the store closes its own). */
  close(): Promise<void>;
}

/**
 * How often the worker checkpoints while the WAL grows: small copies keep each fsync short. With
 * nothing new it backs off, doubling up to `IDLE_INTERVAL_MS`.
 */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 100;
const IDLE_INTERVAL_MS = 2_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
let timer;
let delay = workerData.intervalMs;
let last = { log: -1, checkpointed: -1 };
function tick() {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  const moved = r.log !== last.log || r.checkpointed !== last.checkpointed;
  last = r;
  if (moved && r.log > 0) parentPort.postMessage({ type: 'checkpoint', log: r.log, checkpointed: r.checkpointed });
  // While the WAL moves, checkpoint often (small copies); when it is quiet, look less and less often.
  delay = moved ? workerData.intervalMs : Math.min(delay * 2, workerData.idleMs);
  timer = setTimeout(tick, delay);
}
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

export function startWalCheckpointer(opts: WalCheckpointerOptions): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const intervalMs = opts.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: opts.path, driver, intervalMs, idleMs: Math.max(intervalMs, IDLE_INTERVAL_MS) },
  });
  // A store nobody closed (a crashed test, a script that just ends) must not keep the process alive.
  worker.unref();
  let closing = false;
  let failed = false;
  const fail = (error: Error) => {
    if (closing || failed) return;
    failed = true;
    opts.onFailure(error);
  };
  worker.on('message', (m: { type: string } & CheckpointResult) => {
    if (m.type === 'checkpoint') opts.onCheckpoint?.({ log: m.log, checkpointed: m.checkpointed });
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`the WAL checkpoint worker exited (code ${code})`)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  return {
    async close() {
      if (closing) return exited;
      closing = true;
      // Unreferenced, the worker lets a process with nothing else to do exit before it has closed
      // its connection; a close that was asked for is waited for.
      worker.ref();
      if (failed) return exited;
      worker.postMessage('close');
      // It closes its connection and ends; if it is stuck, it is stopped.
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}
