import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/store/group-commit.ts';

/** A pretend database: a list of committed values, commits that can be made to fail, a lock that can be held. */
function fakeDatabase() {
  const committed: string[] = [];
  let open: string[] | undefined;
  const log: string[] = [];
  let commitsToFail = 0;
  let commitError = 'disk full';
  let locked = false;
  let transactionLost = false;
  let pendingFlush: (() => void) | undefined;
  const group = createGroupCommit({
    inTransaction: () => open !== undefined && !transactionLost,
    retryAlone: (err) => !(err instanceof Error && err.message === 'database is locked'),
    transaction(body) {
      if (locked) {
        log.push('busy');
        throw new Error('database is locked');
      }
      log.push('begin');
      open = [];
      transactionLost = false;
      try {
        body();
        if (commitsToFail > 0) {
          commitsToFail--;
          throw new Error(commitError);
        }
        committed.push(...open);
        log.push('commit');
      } catch (err) {
        log.push('rollback');
        throw err;
      } finally {
        open = undefined;
      }
    },
    schedule(flush) {
      pendingFlush = flush;
    },
  });
  const put = (value: string) => {
    if (!open) throw new Error('write outside a transaction');
    open.push(value);
  };
  /** An error after which the database has rolled the whole transaction back by itself. */
  const loseTransaction = () => {
    transactionLost = true;
    throw new Error('disk I/O error');
  };
  return {
    group,
    put,
    loseTransaction,
    committed,
    log,
    failCommits: (n: number, message = 'disk full') => {
      commitsToFail = n;
      commitError = message;
    },
    lock: () => {
      locked = true;
    },
    runScheduledFlush: () => {
      const flush = pendingFlush;
      pendingFlush = undefined;
      flush?.();
    },
    hasScheduledFlush: () => pendingFlush !== undefined,
  };
}

describe('group commit', () => {
  it('writes asked for before the flush share one transaction, in the order asked for', async () => {
    const db = fakeDatabase();
    const results = [db.group.write(() => (db.put('a'), 1)), db.group.write(() => (db.put('b'), 2)), db.group.write(() => (db.put('c'), 3))];
    expect(db.committed).toEqual([]);
    db.runScheduledFlush();
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3]);
    expect(db.committed).toEqual(['a', 'b', 'c']);
    expect(db.log).toEqual(['begin', 'commit']);
  });

  it('settles a write only after its group has committed', async () => {
    const db = fakeDatabase();
    let settled = false;
    void db.group.write(() => db.put('a')).then(() => {
      settled = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    db.runScheduledFlush();
    await Promise.resolve();
    expect(settled).toBe(true);
  });

  it('rejects a write that throws alone; the rest of its group commits', async () => {
    const db = fakeDatabase();
    const first = db.group.write(() => db.put('a'));
    const failing = db.group.write(() => {
      throw new Error('UNIQUE constraint failed');
    });
    const last = db.group.write(() => db.put('c'));
    db.runScheduledFlush();
    await expect(first).resolves.toBeUndefined();
    await expect(failing).rejects.toThrow('UNIQUE constraint failed');
    await expect(last).resolves.toBeUndefined();
    expect(db.committed).toEqual(['a', 'c']);
  });

  it('tries each write alone when the commit of their group fails, so only a bad one fails', async () => {
    const db = fakeDatabase();
    const writes = [db.group.write(() => db.put('a')), db.group.write(() => db.put('b'))];
    db.failCommits(1);
    db.runScheduledFlush();
    await expect(Promise.all(writes)).resolves.toEqual([undefined, undefined]);
    expect(db.committed).toEqual(['a', 'b']);
    expect(db.log).toEqual(['begin', 'rollback', 'begin', 'commit', 'begin', 'commit']);
  });

  it('rejects the writes whose own commit fails too, and keeps none of them', async () => {
    const db = fakeDatabase();
    const writes = [db.group.write(() => db.put('a')), db.group.write(() => db.put('b'))];
    db.failCommits(3);
    db.runScheduledFlush();
    for (const w of writes) await expect(w).rejects.toThrow('disk full');
    expect(db.committed).toEqual([]);
  });

  it('rejects the whole group at once when the database is locked', async () => {
    const db = fakeDatabase();
    const writes = [db.group.write(() => db.put('a')), db.group.write(() => db.put('b'))];
    db.lock();
    db.runScheduledFlush();
    for (const w of writes) await expect(w).rejects.toThrow('database is locked');
    // Not tried again one by one: each would wait for the lock once more.
    expect(db.log).toEqual(['busy']);
  });

  it('keeps the own error of a write that had failed alone when its group fails', async () => {
    const db = fakeDatabase();
    const ok = db.group.write(() => db.put('a'));
    const failing = db.group.write(() => {
      throw new Error('UNIQUE constraint failed');
    });
    db.failCommits(1, 'database is locked');
    db.runScheduledFlush();
    await expect(ok).rejects.toThrow('database is locked');
    await expect(failing).rejects.toThrow('UNIQUE constraint failed');
  });

  it("runs nothing more in a transaction a write's error has ended, then tries the writes alone", async () => {
    const db = fakeDatabase();
    let runsOfLast = 0;
    let bad = 0;
    const writes = [
      db.group.write(() => db.put('a')),
      db.group.write(() => {
        bad++;
        return db.loseTransaction();
      }),
      db.group.write(() => {
        runsOfLast++;
        db.put('c');
      }),
    ];
    db.runScheduledFlush();
    await expect(writes[0]).resolves.toBeUndefined();
    await expect(writes[1]).rejects.toThrow('disk I/O error');
    await expect(writes[2]).resolves.toBeUndefined();
    // The last write never ran in the broken transaction (it would have committed on its own there).
    expect(runsOfLast).toBe(1);
    expect(bad).toBe(2);
    expect(db.committed).toEqual(['a', 'c']);
    expect(db.log).toEqual(['begin', 'rollback', 'begin', 'commit', 'begin', 'rollback', 'begin', 'commit']);
  });

  it('starts a new group for writes asked for after a flush, and flushes on demand', async () => {
    const db = fakeDatabase();
    const a = db.group.write(() => db.put('a'));
    db.runScheduledFlush();
    await a;
    expect(db.hasScheduledFlush()).toBe(false);
    const b = db.group.write(() => db.put('b'));
    expect(db.hasScheduledFlush()).toBe(true);
    db.group.flush();
    await b;
    expect(db.committed).toEqual(['a', 'b']);
    expect(db.log).toEqual(['begin', 'commit', 'begin', 'commit']);
    // The flush scheduled for b finds nothing left to do.
    db.runScheduledFlush();
    expect(db.log).toHaveLength(4);
  });
});
