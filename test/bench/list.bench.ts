import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import request from 'supertest';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BIDX } from '@app/claimants';
import { encodeCursor, keysetPositionSql } from '@app/platform';
import { StaffService, Vault } from '@app/security';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { BENCH_PASSWORD as PASSWORD, createBenchCase, withBenchEnvironment } from './bench-helpers';
import { type Bench, type BenchResult } from './bench-types';

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 1_000_000);
const SAMPLES = 200;
const P95_GOAL_MS = 30;

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10;
}

async function timeMany(n: number, op: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await op();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/**
 * The staff list on a case of 1,000,000 claimants: the first page and a page 10,000 rows deep
 * (keyset cursor), each through the full API (session check, masking = two decryptions per row).
 * Baseline: the same keyset SELECT run directly, same run.
 */
export const bench: Bench = () =>
  withBenchEnvironment(async ({ config }) => {
    const app = await createApiApp(config);
    await app.getHttpAdapter().getInstance().ready();
    const db = new Client({ connectionString: config.databaseUrl });
    await db.connect();
    try {
      const { firm, actor, kase } = await createBenchCase(app, { slugPrefix: 'bench-list' });
      const vault = app.get(Vault);

      // Seed with COPY: names and phones really encrypted (the list decrypts them to mask them).
      const seedStart = Date.now();
      const base = Date.now() - ROWS * 1000;
      let i = 0;
      const source = new Readable({
        read() {
          for (let k = 0; k < 2000 && i < ROWS; k++, i++) {
            const id = randomUUID();
            const phone = `+8210${String(10_000_000 + i).slice(-8)}`;
            const name = vault.encrypt({ table: 'claimants', column: 'name_enc', rowId: id }, `홍길${i % 10}`);
            const phoneEnc = vault.encrypt({ table: 'claimants', column: 'phone_enc', rowId: id }, phone);
            const pbidx = vault.blindIndex(BIDX.phone, phone).toString('hex');
            const created = new Date(base + i * 1000).toISOString();
            const status = i % 7 === 0 ? 'approved' : 'submitted';
            this.push(
              `${id}\t${firm.firmId}\t${kase.id}\tCP-${String(i).padStart(8, '0')}\t${status}\t${name}\t${phoneEnc}\t\\\\x${pbidx}\t${created}\n`,
            );
          }
          if (i >= ROWS) this.push(null);
        },
      });
      await pipeline(
        source,
        db.query(
          copyFrom(
            `COPY claimants (id, firm_id, case_id, reference, status, name_enc, phone_enc, phone_bidx, created_at) FROM STDIN`,
          ),
        ),
      );
      await db.query('VACUUM ANALYZE claimants');
      const seedSeconds = Math.round((Date.now() - seedStart) / 100) / 10;

      // Lists are a paralegal's job (admins have no claimant permission).
      const paralegal = `paralegal-${Date.now()}@firm.test`;
      await app
        .get(StaffService)
        .create(actor, { email: paralegal, name: 'Bench', role: 'paralegal', password: PASSWORD });
      const token = (
        await request(app.getHttpServer())
          .post('/api/v1/auth/login')
          .send({ email: paralegal, password: PASSWORD })
          .expect(200)
      ).body.token as string;
      const deep = await db.query<{ created_us: string; id: string }>(
        `SELECT ${keysetPositionSql('c')} AS created_us, c.id FROM claimants c WHERE c.case_id = $1
          ORDER BY c.created_at DESC, c.id DESC OFFSET 9999 LIMIT 1`,
        [kase.id],
      );
      const cursor = encodeCursor(deep.rows[0].created_us, deep.rows[0].id);
      const http = app.getHttpServer();
      const page = async (qs: string): Promise<void> => {
        const res = await request(http)
          .get(`/api/v1/cases/${kase.id}/claimants?limit=50${qs}`)
          .set('authorization', `Bearer ${token}`);
        if (res.status !== 200 || (res.body as { items: unknown[] }).items.length !== 50)
          throw new Error(`list answered ${res.status}`);
      };
      const raw = async (after?: { created_us: string; id: string }): Promise<void> => {
        await db.query(
          `SELECT id, reference, status, name_enc, phone_enc, created_at FROM claimants
            WHERE firm_id = $1 AND case_id = $2
              ${after ? `AND (created_at, id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4)` : ''}
            ORDER BY created_at DESC, id DESC LIMIT 51`,
          after ? [firm.firmId, kase.id, after.created_us, after.id] : [firm.firmId, kase.id],
        );
      };
      await timeMany(20, () => page(''));
      const first = p95(await timeMany(SAMPLES, () => page('')));
      const deepP95 = p95(await timeMany(SAMPLES, () => page(`&cursor=${cursor}`)));
      const rawFirst = p95(await timeMany(SAMPLES, () => raw()));
      const rawDeep = p95(await timeMany(SAMPLES, () => raw(deep.rows[0])));
      const result = (name: string, value: number, baselineValue: number): BenchResult => ({
        name,
        value,
        unit: 'ms p95',
        baseline: 'the same keyset SELECT run directly with pg, same run',
        baselineValue,
        ratio: Math.round((value / baselineValue) * 1000) / 1000,
        goal: `p95 < ${P95_GOAL_MS} ms`,
        met: value < P95_GOAL_MS,
        extra: { claimants: ROWS, pageSize: 50, samples: SAMPLES, seedSeconds },
      });
      return [result('list-first-page', first, rawFirst), result('list-page-10000-deep', deepP95, rawDeep)];
    } finally {
      await db.end();
      await app.close();
    }
  });
