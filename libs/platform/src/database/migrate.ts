import { DataSource } from 'typeorm';
import { ADVISORY_LOCK } from './transaction';
import { dataSourceOptions } from './data-source-options';

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies pending migrations under a session-level advisory lock, so several processes
 * starting at once apply each migration exactly once.
 */
export async function runMigrations(databaseUrl: string): Promise<MigrationResult> {
  const ds = new DataSource({ ...dataSourceOptions(databaseUrl, 2, 'jsi-migrate') });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK.migrations]);
    try {
      const done = await ds.runMigrations({ transaction: 'each' });
      return { applied: done.map((m) => m.name) };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK.migrations]);
    }
  } finally {
    await runner.release();
    await ds.destroy();
  }
}
