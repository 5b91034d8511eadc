/**
 * The store scheduler over the PostgreSQL store: the scheduler contract, each test on a schema of
 * its own (a second fixture "on the same storage" opens another store, as a second instance would;
 * the schemas are dropped when the file is done).
 */
import { afterAll } from 'vitest';
import { createStoreScheduler } from '../../src/scheduler/store-scheduler.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createPostgresStore } from '../../src/store/postgres-store.ts';
import { createLogCapture } from '../support/harness.ts';
import { createTestSchema, type TestSchema } from '../support/postgres.ts';
import { runSchedulerContract, type SchedulerFactory, type SchedulerFixture } from './scheduler-contract.ts';

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
  const logs = createLogCapture();
  const log = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  const fired: string[] = [];
  const scheduler = createStoreScheduler({
    store,
    clock: opts.clock,
    log,
    onFired: (userId) => fired.push(userId),
    autoRun: opts.autoRun ?? false,
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.maxSleepMs !== undefined ? { maxSleepMs: opts.maxSleepMs } : {}),
  });
  let closed = false;
  const fx: SchedulerFixture = {
    store,
    clock: opts.clock,
    scheduler,
    fired,
    logs: () => logs.records().filter((r) => r.module === 'scheduler'),
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await store.close();
    },
  };
  schemas.set(fx, schema);
  return fx;
};

runSchedulerContract('store scheduler over PostgreSQL', postgresFactory);
