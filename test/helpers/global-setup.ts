import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { runMigrations, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@app/platform';
import { assertTestDatabase, canConnect, createDatabase, runDatabaseName, withDatabase } from './test-database';

declare global {
  var __JSI_EMBEDDED_PG__: EmbeddedPostgresHandle | undefined;
}

/**
 * One database per run, created from the migrations: DATABASE_URL's server when given, else the
 * local server on 5432, else an embedded PostgreSQL. BullMQ keys get a per-run prefix.
 */
export default async function globalSetup(): Promise<void> {
  let server = process.env.DATABASE_URL;
  if (!server) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    if (await canConnect(local)) {
      server = local;
    } else {
      const pg = await startEmbeddedPostgres(resolve('.data/test'), 54330, 'postgres', () => undefined);
      globalThis.__JSI_EMBEDDED_PG__ = pg;
      server = pg.url;
    }
  }
  const name = runDatabaseName();
  const url = withDatabase(server, name);
  assertTestDatabase(url);
  await createDatabase(server, name);
  await runMigrations(url);
  process.env.JSI_TEST_SERVER_URL = server;
  process.env.JSI_TEST_DATABASE = name;
  process.env.DATABASE_URL = url;
  process.env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  process.env.QUEUE_PREFIX = `jsitest-${randomBytes(4).toString('hex')}`;
  process.env.NODE_ENV = 'test';
  process.env.PII_MASTER_KEY = process.env.PII_MASTER_KEY ?? randomBytes(32).toString('base64');
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  // Every test logs in from 127.0.0.1; per-address login throttling gets its own test.
  process.env.LOGIN_MAX_PER_ADDRESS = process.env.LOGIN_MAX_PER_ADDRESS ?? '100000';
  process.env.INTAKE_MAX_PER_ADDRESS = process.env.INTAKE_MAX_PER_ADDRESS ?? '1000000';
  // Replaced claim generations are dropped at once, so tests can watch it happen.
  process.env.CLAIM_GENERATION_GRACE_SECONDS = process.env.CLAIM_GENERATION_GRACE_SECONDS ?? '0';
  process.env.PORTAL_MAX_PER_ADDRESS = process.env.PORTAL_MAX_PER_ADDRESS ?? '1000000';
  // The audit purge runs when a test calls it, not on the worker's timer in the middle of one.
  process.env.AUDIT_PURGE_INTERVAL_HOURS = process.env.AUDIT_PURGE_INTERVAL_HOURS ?? '0';
  process.env.DATA_DIR = resolve('.data/test', name);
}
