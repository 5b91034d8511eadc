import type { Logger } from '../log/create-logger.ts';
import type { Store } from './ports.ts';
import { createPostgresStore } from './postgres-store.ts';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';

/** DATABASE_URL → its adapter: `postgres://…` (or `postgresql://…`) for PostgreSQL, `file:…` for SQLite. */
export async function openStore(databaseUrl: string, log: Logger, sqlite: Omit<SqliteStoreOptions, 'log'> = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createPostgresStore(databaseUrl, { log });
  return createSqliteStore(databaseUrl, { ...sqlite, log });
}
