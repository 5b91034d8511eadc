import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/store/group-commit.ts';

/** A pretend database: a list of committed values, and a switchable commit failure. */
function fakeDatabase() {
  const committed: string[] = [];
  let open: string[] | undefined;
  const log: string[] = [];
  let failCommit = false;
  let transactionLost = false;
  let pendingFlush: (() => void) | undefined;
  const group = createGroupCommit({
    inTransaction: () => open !== undefined && !transactionLost,
    transaction(body) {
      log.push('begin');
      open = [];
      transactionLost = false;
      try {
        body();
        if (failCommit) throw new Error('disk full');
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
    failNextCommit: () => {
      failCommit = true;
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

  it('rejects every write of a group whose commit fails, and keeps none of it', async () => {
    const db = fakeDatabase();
    const writes = [db.group.write(() => db.put('a')), db.group.write(() => db.put('b'))];
    db.failNextCommit();
    db.runScheduledFlush();
    for (const w of writes) await expect(w).rejects.toThrow('disk full');
    expect(db.committed).toEqual([]);
    expect(db.log).toEqual(['begin', 'rollback']);
  });

  it("rejects the whole group, and runs nothing more, when a write's error has ended the transaction", async () => {
    const db = fakeDatabase();
    let ranAfter = false;
    const writes = [
      db.group.write(() => db.put('a')),
      db.group.write(() => db.loseTransaction()),
      db.group.write(() => {
        ranAfter = true;
        db.put('c');
      }),
    ];
    db.runScheduledFlush();
    for (const w of writes) await expect(w).rejects.toThrow('disk I/O error');
    expect(ranAfter).toBe(false);
    expect(db.committed).toEqual([]);
    expect(db.log).toEqual(['begin', 'rollback']);
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
