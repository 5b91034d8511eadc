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
 * commit.
 *
 * When the group as a whole fails — the commit fails, or a write's error has ended the transaction
 * (SQLite rolls back by itself on some I/O errors; the writes after it are then not run, since
 * outside a transaction each would commit on its own) — nothing of it is kept, and each write is
 * tried again in a transaction of its own, so that one bad write doesn't fail its neighbours. Not
 * when `retryAlone` says the error would hit each of them again (the database locked by another
 * process: each would wait out busy_timeout once more): then they all reject.
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
  /** Whether writes of a group that failed with `error` are worth trying one by one (default yes). */
  retryAlone?: (error: unknown) => boolean;
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
    if (group.length > 0) commitGroup(group);
  }

  function commitGroup(group: Queued[]): void {
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
      if (group.length > 1 && (opts.retryAlone?.(error) ?? true)) {
        for (const q of group) commitGroup([q]);
        return;
      }
      // A write that had already failed on its own keeps its own error.
      group.forEach((q, i) => {
        const outcome = outcomes[i];
        q.reject(outcome && !outcome.ok ? outcome.error : error);
      });
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
