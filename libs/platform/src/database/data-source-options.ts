import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { ENTITIES } from './entities';

export function dataSourceOptions(databaseUrl: string, poolMax = 10, applicationName = 'jsi'): DataSourceOptions {
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
    extra: { max: poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 },
  };
}
