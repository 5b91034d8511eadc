/**
 * The stage funnel for the operator (see src/report/funnel.ts), from the database of DATABASE_URL:
 *
 *   npm run report              per scenario and stage, as a table
 *   npm run report -- --json    the same numbers, small counts hidden, as JSON
 */
import { ConfigError, loadConfig, readEnvironment } from '../src/config/load-config.ts';
import { buildFunnel, formatFunnel, MIN_COUNT } from '../src/report/funnel.ts';
import { createSqliteStore } from '../src/store/sqlite-store.ts';

// The report needs only the database: missing LINE credentials (in production) don't matter here.
const env = readEnvironment(process.env);
let databaseUrl: string;
try {
  databaseUrl = loadConfig({ DATABASE_URL: env.DATABASE_URL }).databaseUrl;
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
const store = createSqliteStore(databaseUrl);
try {
  const rows = buildFunnel({ records: await store.funnelRecords(), conversations: await store.conversationStages(), now: Date.now() });
  if (process.argv.includes('--json')) {
    const hide = (n: number) => (n < MIN_COUNT ? null : n);
    const json = rows.map((r) => ({
      scenario: r.scenario,
      stage: r.stage,
      reached: hide(r.reached),
      movedOn: hide(r.movedOn),
      dropped: hide(r.dropped),
      medianMsInStage: r.visitsLeft >= MIN_COUNT ? (r.medianMs ?? null) : null,
      pushes: hide(r.pushes),
      pushesReplied: hide(r.pushesReplied),
      pushesMovedOn: hide(r.pushesMovedOn),
    }));
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(formatFunnel(rows));
  }
} finally {
  await store.close();
}
