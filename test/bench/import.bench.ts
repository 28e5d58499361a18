import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IMPORT_COLUMNS } from '@app/claimants';
import { FirmService } from '@app/security';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { startBenchWorker, stopBenchWorker, withBenchEnvironment } from './bench-helpers';
import { ratioOf, type Bench, type BenchResult } from './bench-types';

const DEFAULT_ROWS = 100_000;
const GOAL_RATIO = 0.35;
const GOAL_RSS_MB = 300;
const PASSWORD = 'bench passphrase long enough 42';
/** 40 distinct syllables: surname x 40 x 40 gives 16,000 names, and with the birth dates no repeats. */
const SYLLABLES = '가나다라마바사아자차카타파하서연민준지우도윤은시수예주원태현성영경진소혜재희동규';

/** Rows to generate: env BENCH_IMPORT_ROWS (default 100,000). */
function benchRows(): number {
  const raw = process.env.BENCH_IMPORT_ROWS;
  const n = raw ? Number(raw) : DEFAULT_ROWS;
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_IMPORT_ROWS must be a positive integer (got "${raw}")`);
  return n;
}

function syllable(n: number): string {
  return SYLLABLES[n % SYLLABLES.length];
}

/** Row i of the generated file: every row a different, valid person (no duplicates, no rejects). */
function csvRow(i: number): string {
  const name = `${'김이박최정강조윤장임'[i % 10]}${syllable(Math.floor(i / 10))}${syllable(Math.floor(i / 400))}`;
  const birth = `${1950 + (i % 55)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
  const digits = String(20_000_000 + i).padStart(8, '0');
  const address1 = `"서울특별시 강남구 테헤란로 ${1 + (i % 500)}, ${1 + (i % 30)}층"`;
  return [
    name,
    birth,
    `010-${digits.slice(0, 4)}-${digits.slice(4)}`,
    `bench${i}@example.kr`,
    String(10_000 + (i % 89_999)).padStart(5, '0'),
    address1,
    i % 3 === 0 ? '' : `${100 + (i % 20)}동 ${100 + (i % 900)}호`,
    i % 2 === 0 ? 'name;phone;email' : 'name;phone;email;address;orderHistory',
    i % 4 === 0 ? '' : '2025-12-01',
  ].join(',');
}

/** Streams the file to disk (never whole in memory); returns its size in bytes. */
async function writeCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  out.write(`\ufeff${IMPORT_COLUMNS.join(',')}\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${csvRow(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

/** Raw COPY of the same file into an unindexed table of text columns: the floor PostgreSQL sets. */
async function rawCopySeconds(databaseUrl: string, file: string, rows: number): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS bench_import_raw`);
    await c.query(`CREATE TABLE bench_import_raw (${IMPORT_COLUMNS.map((n) => `${n} text`).join(', ')})`);
    const started = process.hrtime.bigint();
    await pipeline(
      createReadStream(file),
      c.query(copyFrom(`COPY bench_import_raw FROM STDIN (FORMAT csv, HEADER true, ENCODING 'UTF8')`)),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const n = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM bench_import_raw`);
    if (n.rows[0].n !== rows) throw new Error(`raw COPY loaded ${n.rows[0].n} rows, expected ${rows}`);
    await c.query(`DROP TABLE bench_import_raw`);
    return seconds;
  } finally {
    await c.end();
  }
}

/** Columns of `claimants` an imported row fills (the rest take their defaults). */
const SEALED_COLUMNS =
  'id, firm_id, case_id, reference, status, source, name_enc, birth_date_enc, phone_enc, email_enc, ' +
  'address_enc, harms_enc, name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, exposed_data, ' +
  'notice_received_on, declared_loss_krw, consents, attested_at';

/** `rows` lines shaped like sealed claimants (random stand-ins of the real sizes), for COPY. */
function* sealedLines(rows: number, firmId: string, caseId: string): Generator<string> {
  const enc = (bytes: number): string => `v1.${randomBytes(bytes).toString('base64url')}`;
  // bytea in hex; COPY's text format needs the backslash doubled.
  const bidx = (): string => `\\\\x${randomBytes(32).toString('hex')}`;
  for (let i = 0; i < rows; i += 1_000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 1_000); j++) {
      chunk += `${[
        randomUUID(),
        firmId,
        caseId,
        `B${j.toString(36).toUpperCase()}`,
        'submitted',
        'import',
        enc(37),
        enc(38),
        enc(41),
        enc(48),
        enc(140),
        enc(30),
        bidx(),
        bidx(),
        bidx(),
        bidx(),
        bidx(),
        '{name,phone,email}',
        '2025-12-01',
        '0',
        '{"source":"import"}',
        '2026-01-01T00:00:00Z',
      ].join('\t')}\n`;
    }
    yield chunk;
  }
}

/**
 * What PostgreSQL alone needs for the rows the import writes, with no validation, no encryption and
 * no duplicate checks: COPY of already sealed rows into a table with the columns, indexes and
 * checks of `claimants` (no foreign keys, no history rows). The import cannot pass this rate.
 */
async function sealedCopySeconds(databaseUrl: string, rows: number, caseId: string): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const firm = await c.query<{ firm_id: string }>(`SELECT firm_id FROM cases WHERE id = $1`, [caseId]);
    const firmId = firm.rows[0].firm_id;
    await c.query(`DROP TABLE IF EXISTS bench_import_sealed`);
    await c.query(`CREATE TABLE bench_import_sealed (LIKE claimants INCLUDING ALL)`);
    const started = process.hrtime.bigint();
    await pipeline(
      Readable.from(sealedLines(rows, firmId, caseId)),
      c.query(copyFrom(`COPY bench_import_sealed (${SEALED_COLUMNS}) FROM STDIN`)),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const check = await c.query<{ n: number; len: number }>(
      `SELECT count(*)::int AS n, min(length(phone_bidx))::int AS len FROM bench_import_sealed`,
    );
    if (check.rows[0].n !== rows || check.rows[0].len !== 32) {
      throw new Error(`sealed COPY loaded ${JSON.stringify(check.rows[0])}, expected ${rows} rows of 32-byte indexes`);
    }
    await c.query(`DROP TABLE bench_import_sealed`);
    return seconds;
  } finally {
    await c.end();
  }
}

/** Peak and current resident set (MB) of a process, from /proc. */
async function memoryOf(pid: number | 'self'): Promise<{ rssMb: number; hwmMb: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

async function api(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<unknown> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body && typeof init.body === 'string') headers.set('content-type', 'application/json');
  const res = await fetch(`${base}${path}`, { ...init, headers });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} -> ${res.status} ${JSON.stringify(body)}`);
  return body;
}

interface ImportStatus {
  status: string;
  rows: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  failure: string | null;
}

export const bench: Bench = async () =>
  withBenchEnvironment(async ({ config, env, databaseUrl }) => {
    const rows = benchRows();
    await mkdir(config.dataDir, { recursive: true });
    const file = join(config.dataDir, 'bench-import.csv');
    const bytes = await writeCsv(file, rows);

    // Baseline first and last, the faster counts (the stricter comparison).
    const copyA = await rawCopySeconds(databaseUrl, file, rows);

    const app: NestFastifyApplication = await createApiApp(config);
    let worker: ChildProcess | undefined;
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1`;
      const adminEmail = `admin-${Date.now()}@bench.test`;
      await app
        .get(FirmService)
        .createWithAdmin('Bench firm', { email: adminEmail, name: '관리자', password: PASSWORD });
      const login = async (email: string): Promise<string> =>
        (
          (await api(base, '/auth/login', { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }) })) as {
            token: string;
          }
        ).token;
      const admin = await login(adminEmail);
      const paralegalEmail = `paralegal-${Date.now()}@bench.test`;
      await api(base, '/staff', {
        method: 'POST',
        token: admin,
        body: JSON.stringify({ email: paralegalEmail, name: '사무직원', role: 'paralegal', password: PASSWORD }),
      });
      const paralegal = await login(paralegalEmail);
      const kase = (await api(base, '/cases', {
        method: 'POST',
        token: admin,
        body: JSON.stringify({
          slug: `bench-import-${Date.now().toString(36)}`,
          title: '쿠팡 개인정보 유출 손해배상 공동소송',
          court: '서울중앙지방법원',
          defendant: { name: '쿠팡 주식회사', address: '서울특별시 송파구 송파대로 570', representative: '대표이사' },
          claimRules: { baseAmountKrw: 300_000 },
          intakeOpen: true,
        }),
      })) as { id: string };

      worker = await startBenchWorker(env);
      const workerPid = worker.pid!;
      const before = await memoryOf(workerPid);
      let workerPeakMb = before.rssMb;
      let apiPeakMb = (await memoryOf('self')).rssMb;
      const sampler = setInterval(() => {
        void memoryOf(workerPid)
          .then((m) => (workerPeakMb = Math.max(workerPeakMb, m.rssMb)))
          .catch(() => undefined);
        apiPeakMb = Math.max(apiPeakMb, Math.round(process.memoryUsage().rss / 1_048_576));
      }, 50);

      const started = process.hrtime.bigint();
      const form = new FormData();
      form.append('file', await openAsBlob(file, { type: 'text/csv' }), 'claimants.csv');
      const { id } = (await api(base, `/cases/${kase.id}/imports`, {
        method: 'POST',
        token: paralegal,
        body: form,
      })) as { id: string };
      const uploadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      let s: ImportStatus;
      for (;;) {
        s = (await api(base, `/imports/${id}`, { token: paralegal })) as ImportStatus;
        if (s.status === 'done' || s.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(sampler);
      const after = await memoryOf(workerPid);
      workerPeakMb = Math.max(workerPeakMb, after.rssMb);
      if (s.status !== 'done' || s.inserted !== rows) {
        throw new Error(`import ended ${s.status} with ${s.inserted}/${rows} inserted: ${s.failure ?? ''}`);
      }

      const copyB = await rawCopySeconds(databaseUrl, file, rows);
      const sealedSeconds = await sealedCopySeconds(databaseUrl, rows, kase.id);
      const copySeconds = Math.min(copyA, copyB);
      const value = Math.round(rows / seconds);
      const baselineValue = Math.round(rows / copySeconds);
      const ratio = ratioOf(value, baselineValue);
      const result: BenchResult = {
        name: 'import',
        value,
        unit: 'rows/s',
        baseline: `raw COPY of the same CSV into an unindexed table of ${IMPORT_COLUMNS.length} text columns, same run`,
        baselineValue,
        ratio,
        goal: `>= ${GOAL_RATIO}x rows/s, worker peak RSS < ${GOAL_RSS_MB} MB`,
        met: ratio >= GOAL_RATIO && after.hwmMb < GOAL_RSS_MB,
        extra: {
          rows,
          fileBytes: bytes,
          seconds: Math.round(seconds * 1000) / 1000,
          uploadSeconds: Math.round(uploadSeconds * 1000) / 1000,
          batchRows: config.importBatchRows,
          rawCopySeconds: [copyA, copyB].map((x) => Math.round(x * 1000) / 1000),
          // The floor the product's schema sets (see sealedCopySeconds): the import's real ceiling.
          sealedCopyRowsPerSecond: Math.round(rows / sealedSeconds),
          sealedCopyRatio: ratioOf(Math.round(rows / sealedSeconds), baselineValue),
          workerRssBeforeMb: before.rssMb,
          workerPeakRssSampledMb: workerPeakMb,
          workerVmHwmMb: after.hwmMb,
          apiPeakRssSampledMb: apiPeakMb,
          measured: 'upload start -> GET /imports/:id says done (API in this process, worker as its own process)',
        },
      };
      return result;
    } finally {
      if (worker) {
        await stopBenchWorker(worker);
      }
      await app.close();
    }
  });
