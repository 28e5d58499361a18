import type { DataSource, EntityManager } from 'typeorm';

/** Runs `work` in one transaction (READ COMMITTED) and returns its result. */
export function inTransaction<T>(ds: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(work);
}

/** Stable 64-bit advisory lock keys (as decimal strings for pg's bigint). */
export const ADVISORY_LOCK = {
  migrations: '7310001',
  auditChain: '7310002',
} as const;

interface Queryable {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * Runs a statement and returns its rows. TypeORM answers UPDATE/DELETE ... RETURNING with
 * `[rows, affectedCount]` but INSERT/SELECT with `rows`; this hides the difference.
 */
export async function queryRows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query<unknown>(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** A pg Pool or client: what a named prepared statement runs on. */
export interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A hot statement as a named prepared statement, so PostgreSQL plans it once per connection
 * instead of on every call (TypeORM's query() sends unnamed statements, and planning a statement
 * with several CTEs costs milliseconds). Inside a transaction pass its EntityManager; otherwise
 * the DataSource (a pooled connection is used) or a pool of one's own (see {@link sidePool}).
 */
export async function preparedQuery<T>(
  db: DataSource | EntityManager | PgQueryable,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  // A pg pool or client (TypeORM's DataSource and EntityManager both have transaction()).
  if (!('transaction' in db)) return (await db.query({ name, text, values })).rows as T[];
  const runner = 'queryRunner' in db ? db.queryRunner : undefined;
  let target: PgQueryable;
  if (runner && !runner.isReleased && runner.isTransactionActive) {
    target = (await runner.connect()) as PgQueryable;
  } else {
    const ds = 'driver' in db ? db : db.connection;
    target = (ds.driver as unknown as { master: PgQueryable }).master;
  }
  const result = await target.query({ name, text, values });
  return result.rows as T[];
}
