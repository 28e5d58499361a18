import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import type { INestApplicationContext } from '@nestjs/common';
import { CaseService, type CaseView } from '@app/cases';
import type { ClaimRules } from '@app/claims';
import { loadConfig, runMigrations, workerNodeArgs, type AppConfig } from '@app/platform';
import { FirmService, type Role, type StaffPrincipal, type StaffView } from '@app/security';

/** Where benchmarks look for PostgreSQL when DATABASE_URL is not set. */
export const BENCH_PG_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DB_RE = /^jsi_bench_[a-z0-9_]+$/;

export interface BenchEnvironment {
  /** Validated configuration for the run's database, queue prefix and data directory. */
  config: AppConfig;
  /** The variables `config` was loaded from (hand them to child processes). */
  env: Record<string, string | undefined>;
  databaseUrl: string;
  /** Set when the harness created a throwaway database (dropped afterwards). */
  throwawayDatabase?: string;
}

/** Seconds each measured load run lasts: env BENCH_SECONDS (default 10). */
export function benchSeconds(fallback = 10): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_SECONDS must be a positive number (got "${raw}")`);
  return n;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function createBenchDatabase(serverUrl: string, name: string): Promise<void> {
  if (!BENCH_DB_RE.test(name)) throw new Error(`refusing to create database "${name}"`);
  try {
    await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `cannot create the benchmark database on ${new URL(serverUrl).host} (${why}); ` +
        'start PostgreSQL there or set DATABASE_URL',
      { cause: e },
    );
  }
}

async function dropBenchDatabase(serverUrl: string, name: string): Promise<void> {
  // Only ever drops a database this harness named.
  if (!BENCH_DB_RE.test(name)) throw new Error(`refusing to drop database "${name}"`);
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Deletes every Redis key under the run's throwaway BullMQ prefix. */
async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const client = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/**
 * Runs `fn` against a prepared environment: with DATABASE_URL unset, a throwaway database
 * `jsi_bench_<random>` on {@link BENCH_PG_SERVER} (migrated with runMigrations, dropped afterwards);
 * with DATABASE_URL set, that database as given (migrated, not dropped). Also a throwaway
 * QUEUE_PREFIX (its Redis keys deleted afterwards), a throwaway DATA_DIR, a random PII master key
 * unless one is set, REDIS_URL or redis://127.0.0.1:6379, and LOG_LEVEL=silent.
 */
export async function withBenchEnvironment<T>(
  fn: (bench: BenchEnvironment) => Promise<T>,
  overrides: Record<string, string> = {},
): Promise<T> {
  const tag = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const given = process.env.DATABASE_URL;
  const throwawayDatabase = given ? undefined : `jsi_bench_${tag}`;
  const databaseUrl = throwawayDatabase ? withDatabase(BENCH_PG_SERVER, throwawayDatabase) : given!;
  const dataDir = resolve('.data/bench', tag);
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `jsibench-${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    PII_MASTER_KEY: process.env.PII_MASTER_KEY || randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const config = loadConfig(env);

  if (throwawayDatabase) await createBenchDatabase(BENCH_PG_SERVER, throwawayDatabase);
  try {
    await runMigrations(databaseUrl);
    return await fn({ config, env, databaseUrl, throwawayDatabase });
  } finally {
    await deleteQueueKeys(config.redisUrl, config.queuePrefix).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    if (throwawayDatabase) await dropBenchDatabase(BENCH_PG_SERVER, throwawayDatabase);
  }
}

export const BENCH_PASSWORD = 'a long benchmark passphrase 2026';

/**
 * A firm, a principal acting for it and one open case, made through the real services: the
 * set-up every data benchmark shares.
 */
export async function createBenchCase(
  app: INestApplicationContext,
  opts: { slugPrefix: string; role?: Role; claimRules?: Omit<ClaimRules, 'version'> },
): Promise<{ email: string; firm: { firmId: string; admin: StaffView }; actor: StaffPrincipal; kase: CaseView }> {
  const email = `bench-${Date.now()}-${randomBytes(2).toString('hex')}@firm.test`;
  const firm = await app
    .get(FirmService)
    .createWithAdmin('Bench firm', { email, name: 'Bench', password: BENCH_PASSWORD });
  const actor = {
    kind: 'staff',
    staffId: firm.admin.id,
    firmId: firm.firmId,
    role: opts.role ?? 'admin',
    sourceIp: 'bench',
  } as StaffPrincipal;
  const kase = await app.get(CaseService).create(actor, {
    slug: `${opts.slugPrefix}-${Date.now().toString(36)}`,
    title: 'bench',
    court: '서울중앙지방법원',
    defendant: { name: '쿠팡 주식회사', address: '서울', representative: '대표' },
    claimRules: opts.claimRules ?? { baseAmountKrw: 300_000 },
    intakeOpen: true,
  });
  return { email, firm, actor, kase };
}

/**
 * The product's worker as its own process (dist/apps/worker/src/main.js), so its memory is
 * measured on its own; resolves once it logs that it started. `onStdout` sees every chunk it
 * prints. BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") looks inside it;
 * BENCH_WORKER_ECHO=1 copies its output to stderr.
 */
export async function startBenchWorker(
  env: Record<string, string | undefined>,
  onStdout?: (text: string) => void,
): Promise<ChildProcess> {
  const main = resolve(__dirname, '../../apps/worker/src/main.js');
  const extra = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
  const heap = workerNodeArgs(loadConfig(env)); // as `npm start` runs it
  const child = spawn(process.execPath, [...heap, ...extra, main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2_000)));
  const echo = process.env.BENCH_WORKER_ECHO === '1';
  child.stdout.on('data', (d: Buffer) => {
    if (echo) process.stderr.write(d);
    onStdout?.(d.toString('utf8'));
  });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`worker did not start: ${err.slice(0, 500)}`)), 60_000);
    let seen = '';
    const started = (d: Buffer): void => {
      seen += d.toString('utf8');
      const found = seen.includes('worker started');
      seen = seen.slice(-100); // the marker may span two chunks
      if (!found) return;
      clearTimeout(timer);
      child.stdout.off('data', started);
      ok();
    };
    child.stdout.on('data', started);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`worker exited with ${code}: ${err.slice(0, 500)}`));
    });
  });
  return child;
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Stops a worker started by {@link startBenchWorker} the way an operator would (SIGTERM, drained). */
export async function stopBenchWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
