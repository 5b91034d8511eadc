/**
 * PostgreSQL for tests: the local server (127.0.0.1:5432, user postgres, trust auth, database
 * `test`, or TEST_POSTGRES_URL). Each test gets a schema of its own, selected through the URL
 * (`options=-c search_path=…`) so that real Akari processes can use it too, and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../../src/store/ports.ts';

export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
  /** DATABASE_URL for Akari: the test database, with this schema first on the search path. */
  url: string;
  drop(): Promise<void>;
}

/** A URL for `schema` on the server of `base`. */
export function urlWithSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const name = `akari_${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE SCHEMA ${name}`));
  let dropped = false;
  return {
    name,
    url: urlWithSchema(TEST_POSTGRES_URL, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
    },
  };
}

/** Runs SQL on a test schema (to look at or tamper with what Akari stored). */
export async function querySchema<R extends pg.QueryResultRow>(schema: TestSchema, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A store whose close() also drops its schema. */
export function droppingSchemaOnClose(store: Store, schema: TestSchema): Store {
  return {
    ...store,
    async close() {
      try {
        await store.close();
      } finally {
        await schema.drop();
      }
    },
  };
}
