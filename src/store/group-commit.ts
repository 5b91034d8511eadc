/**
 * Group commit for a synchronous database (better-sqlite3): every write asked for while the event
 * loop is busy is queued, and the queue is written in one transaction at the next turn of the loop
 * (setImmediate). Each write's promise settles only after that transaction has committed, so a
 * caller that awaits a write knows it is durable, exactly as with a transaction of its own; under
 * load the writes of many webhooks, turns and sends share one commit instead of paying for one
 * each (a commit appends every page it touched to the WAL, which is most of what a small write costs).
 *
 * Writes run in the order they were asked for. Each must be atomic by itself: one statement, or a
 * better-sqlite3 transaction function (which becomes a savepoint inside the group's transaction).
 * A write that throws has then changed nothing; it rejects alone and the others in its group still
 * commit. If the commit itself fails (disk full, the database locked by another process for longer
 * than busy_timeout), or a write's error has ended the transaction (SQLite rolls back by itself on
 * some I/O errors), every write of the group rejects and nothing of it is kept: the writes after it
 * are not run, since outside a transaction each would commit on its own.
 */
export interface GroupCommit {
  /** Queues `work` for the next group; resolves with its result once the group has committed. */
  write<T>(work: () => T): Promise<T>;
  /** Commits what is queued now (before closing the database). */
  flush(): void;
}

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createGroupCommit(opts: {
  /** Runs `body` in one transaction: commits if it returns, rolls back and rethrows if it throws. */
  transaction: (body: () => void) => void;
  /** Whether the transaction is still open (after a write failed). */
  inTransaction: () => boolean;
  /** Defers the flush; setImmediate unless a test says otherwise. */
  schedule?: (flush: () => void) => void;
}): GroupCommit {
  const schedule = opts.schedule ?? ((flush) => setImmediate(flush));
  let queue: Queued[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      opts.transaction(() => {
        for (const q of group) {
          try {
            outcomes.push({ ok: true, value: q.work() });
          } catch (error) {
            if (!opts.inTransaction()) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const q of group) q.reject(error);
      return;
    }
    group.forEach((q, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) q.resolve(outcome.value);
      else q.reject(outcome.error);
    });
  }

  return {
    write<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          schedule(flush);
        }
      });
    },
    flush,
  };
}
