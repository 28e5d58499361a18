import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { ENTITIES } from './entities';

/**
 * `lockTimeoutMs`: the session's `lock_timeout` (a statement waiting longer for a lock fails with
 * SQLSTATE 55P03); unset, statements wait as long as it takes.
 */
export function dataSourceOptions(
  databaseUrl: string,
  poolMax = 10,
  applicationName = 'jsi',
  lockTimeoutMs?: number,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    migrations: MIGRATIONS,
    entities: ENTITIES,
    logging: false,
    applicationName,
    extra: {
      max: poolMax,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      ...(lockTimeoutMs === undefined ? {} : { options: `-c lock_timeout=${lockTimeoutMs}` }),
    },
  };
}
