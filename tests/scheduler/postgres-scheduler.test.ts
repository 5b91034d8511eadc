/**
 * The store scheduler over the PostgreSQL store: the scheduler contract, each test on a schema of
 * its own (a second fixture "on the same storage" opens another store, as a second instance would;
 * the schemas are dropped when the file is done).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createStoreScheduler } from '../../src/scheduler/store-scheduler.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createPostgresStore } from '../../src/store/postgres-store.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import type { Store } from '../../src/store/ports.ts';
import { createTestSchema, type TestSchema } from '../support/postgres.ts';
import { addTimer, jst, runSchedulerContract, storeSchedulerFixture, type SchedulerFactory, type SchedulerFixture } from './scheduler-contract.ts';

const schemas = new WeakMap<SchedulerFixture, TestSchema>();
// A restart closes the first fixture before the second opens on its schema: schemas are dropped
// once the file's tests are done.
const created: TestSchema[] = [];
afterAll(async () => {
  await Promise.all(created.map((s) => s.drop()));
});

const postgresFactory: SchedulerFactory = async (opts) => {
  let schema = opts.sameStorageAs ? schemas.get(opts.sameStorageAs) : undefined;
  if (!schema) {
    schema = await createTestSchema('sched');
    created.push(schema);
  }
  const store = await createPostgresStore(schema.url);
  const fx = storeSchedulerFixture(store, opts);
  schemas.set(fx, schema);
  return fx;
};

runSchedulerContract('store scheduler over PostgreSQL', postgresFactory);

describe('store scheduler over PostgreSQL: two instances and the daily cap', () => {
  it('keeps the daily cap when two instances look at one user’s due timers at the same time', async () => {
    const schema = await createTestSchema('cap');
    created.push(schema);
    const clock = createFakeClock('2026-12-01T10:00');
    const log = createLogger({ level: 'silent', pretty: false });
    const open = async (reversed: boolean) => {
      const base = await createPostgresStore(schema.url);
      // The second instance meets the due timers in another order, so that, unserialised, the two
      // would weigh different timers of the same user at the same moment.
      const store: Store = reversed ? { ...base, dueTimers: async (now, limit) => (await base.dueTimers(now, limit)).reverse() } : base;
      const scheduler = createStoreScheduler({ store, clock, log, onFired: () => undefined, autoRun: false, policy: { dailyCap: 1 } });
      return { store, scheduler };
    };
    const a = await open(false);
    const b = await open(true);
    try {
      for (let round = 0; round < 5; round++) {
        const user = `Ucap${round}`;
        for (let i = 0; i < 4; i++) await addTimer(a.store, user, jst('2026-12-01T09:00') + i);
        await Promise.all([a.scheduler.runDue(), b.scheduler.runDue()]);
        // One timer fired for the user; the others wait until its turn has shown whether it pushed.
        expect(await a.store.countPendingTimerEvents(user)).toBe(1);
      }
    } finally {
      await a.scheduler.stop();
      await b.scheduler.stop();
      await a.store.close();
      await b.store.close();
    }
  });
});
