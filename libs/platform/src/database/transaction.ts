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
