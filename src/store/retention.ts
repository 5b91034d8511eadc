/**
 * Data retention: finished events, sent messages and past timers are deleted once they are older
 * than the retention period, so the database doesn't grow for ever and what users wrote is not kept
 * longer than it is useful. Until then they still serve: redelivered webhooks are recognised by
 * their event id, and the daily push cap counts the last day's pushes. Conversations (what the user
 * is in the middle of) stay until the user deletes their data or unfollows.
 */
import type { Logger } from '../log/create-logger.ts';
import type { Clock } from '../time/clock.ts';
import type { PruneResult, Store } from './ports.ts';

export interface RetentionOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** How long finished rows are kept (ms). */
  retentionMs: number;
  /** Rows per table deleted in one transaction: keeps each write short for the webhooks waiting on it. */
  batchSize?: number;
  /** How often `start()` sweeps (ms); the first sweep runs at once. */
  intervalMs?: number;
}

export interface RetentionSweeper {
  /** Deletes everything past retention, batch by batch; resolves with the totals. */
  sweep(): Promise<PruneResult>;
  start(): void;
  /** Stops the periodic sweep and waits for one in progress to end. */
  stop(): Promise<void>;
}

export const DEFAULT_RETENTION_BATCH = 500;
export const DEFAULT_RETENTION_INTERVAL_MS = 60 * 60_000;

export function createRetentionSweeper(opts: RetentionOptions): RetentionSweeper {
  const log = opts.log.child({ module: 'retention' });
  const batchSize = opts.batchSize ?? DEFAULT_RETENTION_BATCH;
  const intervalMs = opts.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PruneResult> | undefined;
  let stopped = false;

  async function sweepAll(): Promise<PruneResult> {
    const before = opts.clock.now().getTime() - opts.retentionMs;
    const total: PruneResult = { inbox: 0, outbox: 0, timers: 0 };
    try {
      for (;;) {
        const r = await opts.store.pruneFinished(before, batchSize);
        total.inbox += r.inbox;
        total.outbox += r.outbox;
        total.timers += r.timers;
        if (stopped || Math.max(r.inbox, r.outbox, r.timers) < batchSize) break;
        // Let webhooks and turns in between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      // What was deleted before a failure is gone all the same: say so.
      if (total.inbox + total.outbox + total.timers > 0) {
        log.info({ ...total, before: new Date(before).toISOString() }, 'deleted finished records past the retention period');
      }
    }
    return total;
  }

  function sweep(): Promise<PruneResult> {
    // One sweep at a time: a second caller shares the one in progress.
    running ??= sweepAll().finally(() => {
      running = undefined;
    });
    return running;
  }

  function runInBackground(): void {
    sweep().catch((err: unknown) => log.error({ err }, 'could not delete records past the retention period; trying again later'));
  }

  return {
    sweep,
    start() {
      if (timer || stopped) return;
      runInBackground();
      timer = setInterval(runInBackground, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
