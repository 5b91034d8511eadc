import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/create-logger.ts';
import type { Store } from '../../src/store/ports.ts';
import { createRetentionSweeper, type RetentionOptions } from '../../src/store/retention.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';
import { createLogCapture, waitFor } from '../support/harness.ts';

const DAY = 24 * 3_600_000;
const ALICE = 'Ualice';

describe('retention sweeper', () => {
  let store: Store;
  let clock: FakeClock;
  let logs: ReturnType<typeof createLogCapture>;
  let n = 0;

  beforeEach(() => {
    store = createSqliteStore('file::memory:');
    clock = createFakeClock('2026-12-01T10:00:00+09:00');
    logs = createLogCapture();
  });
  afterEach(async () => {
    await store.close();
  });

  function sweeper(extra: Partial<RetentionOptions> = {}) {
    return createRetentionSweeper({
      store,
      clock,
      log: createLogger({ level: 'debug', pretty: false, destination: logs.stream }),
      retentionMs: 30 * DAY,
      ...extra,
    });
  }

  /** `count` events handled at the clock's time, each answered with one sent batch. */
  async function handledEvents(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = clock.now().getTime();
      const eventId = `EV-${++n}`;
      await store.acceptEvents([{ eventId, userId: ALICE, payload: { type: 'message', n }, receivedAt: at }]);
      const row = await store.getInboxRow(eventId);
      const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      await store.commitTurn({ userId: ALICE, inboxSeq: row!.seq, outbox: [{ id, userId: ALICE, messages: [{ type: 'text', text: 'はい' }], proactive: false, createdAt: at }] });
      await store.markOutboxSent(id, 'reply', at);
      ids.push(eventId);
    }
    return ids;
  }

  it('deletes everything past the retention period, batch after batch, and says how much once', async () => {
    const old = await handledEvents(7);
    clock.advance(20 * DAY);
    const recent = await handledEvents(2);
    clock.advance(11 * DAY);

    const result = await sweeper({ batchSize: 3 }).sweep();

    expect(result).toEqual({ inbox: 7, outbox: 7, timers: 0 });
    for (const id of old) expect(await store.getInboxRow(id)).toBeUndefined();
    for (const id of recent) expect((await store.getInboxRow(id))?.status).toBe('done');
    const lines = logs.records().filter((r) => r.msg === 'deleted finished records past the retention period');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ module: 'retention', inbox: 7, outbox: 7, timers: 0, before: '2026-12-02T01:00:00.000Z' });
  });

  it('is quiet when there is nothing to delete', async () => {
    await handledEvents(2);
    clock.advance(29 * DAY);
    expect(await sweeper().sweep()).toEqual({ inbox: 0, outbox: 0, timers: 0 });
    expect(logs.lines).toEqual([]);
  });

  it('runs one sweep at a time: a second call shares the one in progress', async () => {
    await handledEvents(3);
    clock.advance(31 * DAY);
    const s = sweeper({ batchSize: 1 });
    const [a, b] = await Promise.all([s.sweep(), s.sweep()]);
    expect(a).toBe(b);
    expect(a).toEqual({ inbox: 3, outbox: 3, timers: 0 });
  });

  it('sweeps at start and on its interval until stopped', async () => {
    const calls: number[] = [];
    const counting: Store = {
      ...store,
      pruneFinished: async (before, limit) => {
        calls.push(before);
        return store.pruneFinished(before, limit);
      },
    };
    const s = sweeper({ store: counting, intervalMs: 20 });
    s.start();
    expect(calls).toEqual([clock.now().getTime() - 30 * DAY]);
    await waitFor(() => calls.length >= 3, 'two sweeps on the interval');
    await s.stop();
    const seen = calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toHaveLength(seen);
  });

  it('still says what it deleted when a later batch fails', async () => {
    await handledEvents(5);
    clock.advance(31 * DAY);
    let calls = 0;
    const failsSecond: Store = {
      ...store,
      pruneFinished: async (before, limit) => {
        if (++calls === 2) throw new Error('disk I/O error');
        return store.pruneFinished(before, limit);
      },
    };
    await expect(sweeper({ store: failsSecond, batchSize: 2 }).sweep()).rejects.toThrow('disk I/O error');
    expect(logs.records().find((r) => r.msg === 'deleted finished records past the retention period')).toMatchObject({ inbox: 2, outbox: 2 });
  });

  it('logs a failing sweep and tries again on the next one', async () => {
    let failures = 1;
    const flaky: Store = {
      ...store,
      pruneFinished: async (before, limit) => {
        if (failures-- > 0) throw new Error('disk I/O error');
        return store.pruneFinished(before, limit);
      },
    };
    await handledEvents(1);
    clock.advance(31 * DAY);
    const s = sweeper({ store: flaky, intervalMs: 20 });
    s.start();
    await waitFor(() => logs.text().includes('deleted finished records'), 'a sweep after the failed one');
    await s.stop();
    const records = logs.records();
    expect(records.find((r) => r.msg === 'could not delete records past the retention period; trying again later')).toMatchObject({ level: 50 });
    expect(records.find((r) => r.msg === 'deleted finished records past the retention period')).toMatchObject({ inbox: 1, outbox: 1 });
  });
});
