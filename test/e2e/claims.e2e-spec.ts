import request from 'supertest';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  ClaimRecomputeService,
  claimResultJoinSql,
  currentClaimGeneration,
  computeClaim,
  type ClaimBreakdownLine,
  type ClaimRules,
} from '@app/claims';
import { createCase, createFirm, createStaff, intakeBody, type TestFirm } from '../helpers/factories';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const ENV = {
  QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'jsitest'}-claims`,
  INTAKE_MAX_PER_ADDRESS: '100000',
  VELOCITY_MAX_PER_ADDRESS: '100000',
};

const RULES = {
  baseAmountKrw: 300_000,
  additionsByCategoryKrw: { entranceCode: 50_000, orderHistory: 20_000 },
  secondaryHarmMultiplier: 3,
};
const CONTACT = ['name', 'phone', 'email', 'address'];

interface Person {
  key: string;
  exposedData: string[];
  /** Accepted evidence losses (each one evidence row). */
  accepted?: number[];
  /** Evidence that must not count: pending, rejected, deleted. */
  ignored?: { status: 'pending' | 'rejected' | 'accepted'; lossKrw: number; deleted?: boolean }[];
  /** Status moves after intake. */
  moves?: string[];
}

const PEOPLE: Person[] = [
  { key: 'plain', exposedData: CONTACT },
  { key: 'orders', exposedData: [...CONTACT, 'orderHistory'], moves: ['under_review', 'approved'] },
  { key: 'door', exposedData: ['entranceCode', 'name', 'entranceCode'], moves: ['under_review'] },
  {
    key: 'both+loss',
    exposedData: [...CONTACT, 'orderHistory', 'entranceCode'],
    accepted: [40_000, 60_000],
    ignored: [
      { status: 'pending', lossKrw: 500_000 },
      { status: 'rejected', lossKrw: 700_000 },
      { status: 'accepted', lossKrw: 900_000, deleted: true },
    ],
    moves: ['under_review', 'approved'],
  },
  { key: 'bigloss', exposedData: ['email', 'entranceCode'], accepted: [2_000_000] },
  { key: 'withdrawn', exposedData: [...CONTACT, 'entranceCode'], accepted: [10_000], moves: ['withdrawn'] },
  { key: 'rejected', exposedData: CONTACT, moves: ['under_review', 'rejected'] },
];

interface ClaimRow {
  id: string;
  status: string;
  exposed_data: string[];
  claim_amount_krw: string | null;
  claim_breakdown: ClaimBreakdownLine[] | null;
  claim_rule_version: number | null;
}

describe('claims: recompute and summary', () => {
  let t: TestApp;
  let ds: DataSource;
  let firm: TestFirm;
  let attorney: string;
  let paralegal: string;
  let otherParalegal: string;
  let kase: { id: string; slug: string };
  const ids = new Map<string, string>();

  const as = (token: string) => ({
    get: (path: string) => request(t.http).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`),
    post: (path: string, body: object = {}) =>
      request(t.http).post(`/api/v1${path}`).set('authorization', `Bearer ${token}`).send(body),
    patch: (path: string, body: object) =>
      request(t.http).patch(`/api/v1${path}`).set('authorization', `Bearer ${token}`).send(body),
  });

  async function addEvidence(claimantId: string, status: string, lossKrw: number, deleted = false): Promise<void> {
    const sha = createHash('sha256').update(randomBytes(16)).digest('hex');
    await ds.query(
      `INSERT INTO evidence (firm_id, case_id, claimant_id, kind, content_type, bytes, sha256, storage_key, status, loss_krw,
                             deleted_at)
       VALUES ($1, $2, $3, 'secondaryHarm', 'application/pdf', 1234, $4, $5, $6, $7, $8)`,
      [firm.firmId, kase.id, claimantId, sha, `test/${sha}`, status, lossKrw, deleted ? new Date() : null],
    );
  }

  async function recompute(token = paralegal): Promise<{ id: string; jobId: string; status: string }> {
    const res = await as(token).post(`/cases/${kase.id}/claims/recompute`).expect(202);
    expect(res.body).toMatchObject({ id: expect.any(String), jobId: expect.any(String), caseId: kase.id });
    return res.body as { id: string; jobId: string; status: string };
  }

  async function recomputeDone(id: string): Promise<Record<string, unknown>> {
    return waitFor(
      async () => {
        const res = await as(paralegal).get(`/claims/recomputes/${id}`).expect(200);
        const body = res.body as Record<string, unknown>;
        if (body.status === 'failed') throw new Error(`recompute failed: ${String(body.failure)}`);
        return body.status === 'done' ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `recompute ${id}` },
    );
  }

  async function claimRows(): Promise<ClaimRow[]> {
    const generation = await currentClaimGeneration(ds, kase.id);
    return ds.query<ClaimRow[]>(
      `SELECT c.id, c.status, c.exposed_data, k.amount_krw::text AS claim_amount_krw, k.breakdown AS claim_breakdown,
              CASE WHEN k.claimant_id IS NOT NULL THEN $2::int END AS claim_rule_version
         FROM claimants c
         ${claimResultJoinSql(generation, 'c', 'k')}
        WHERE c.case_id = $1 ORDER BY c.id`,
      [kase.id, generation?.ruleVersion ?? null],
    );
  }

  async function acceptedLoss(claimantId: string): Promise<number> {
    const rows = await ds.query<{ loss: string }[]>(
      `SELECT coalesce(sum(loss_krw), 0)::text AS loss FROM evidence
        WHERE claimant_id = $1 AND status = 'accepted' AND deleted_at IS NULL`,
      [claimantId],
    );
    return Number(rows[0].loss);
  }

  async function currentRules(): Promise<ClaimRules> {
    const res = await as(paralegal).get(`/cases/${kase.id}`).expect(200);
    return (res.body as { claimRules: ClaimRules }).claimRules;
  }

  /** Every claimant's stored claim equals computeClaim for the same inputs (or is cleared when excluded). */
  async function expectClaimsMatch(rules: ClaimRules): Promise<ClaimRow[]> {
    const rows = await claimRows();
    expect(rows).toHaveLength(PEOPLE.length);
    for (const r of rows) {
      if (r.status === 'withdrawn' || r.status === 'rejected') {
        expect(r).toMatchObject({ claim_amount_krw: null, claim_breakdown: null, claim_rule_version: null });
        continue;
      }
      const expected = computeClaim(rules, { exposedData: r.exposed_data, acceptedLossKrw: await acceptedLoss(r.id) });
      expect({
        amountKrw: Number(r.claim_amount_krw),
        breakdown: r.claim_breakdown,
        ruleVersion: r.claim_rule_version,
      }).toEqual(expected);
      const sum = (r.claim_breakdown ?? []).reduce((s, line) => s + line.amountKrw, 0);
      expect(sum).toBe(Number(r.claim_amount_krw));
    }
    return rows;
  }

  const rowOf = (rows: ClaimRow[], key: string): ClaimRow => {
    const row = rows.find((r) => r.id === ids.get(key));
    if (!row) throw new Error(`no row for ${key}`);
    return row;
  };

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: ENV });
    ds = t.api.get(DataSource);
    firm = await createFirm(t, '법무법인 청구');
    const other = await createFirm(t, 'Other firm');
    attorney = (await createStaff(t, firm, 'attorney')).token;
    paralegal = (await createStaff(t, firm, 'paralegal')).token;
    otherParalegal = (await createStaff(t, other, 'paralegal')).token;
    kase = await createCase(t, attorney, { claimRules: RULES });

    for (const p of PEOPLE) {
      const res = await request(t.http)
        .post(`/api/v1/public/cases/${kase.slug}/claimants`)
        .send(intakeBody({ exposedData: p.exposedData }))
        .expect(201);
      const rows = await ds.query<{ id: string }[]>(`SELECT id FROM claimants WHERE case_id = $1 AND reference = $2`, [
        kase.id,
        (res.body as { reference: string }).reference,
      ]);
      const id = rows[0].id;
      ids.set(p.key, id);
      for (const loss of p.accepted ?? []) await addEvidence(id, 'accepted', loss);
      for (const e of p.ignored ?? []) await addEvidence(id, e.status, e.lossKrw, e.deleted);
      for (const to of p.moves ?? []) {
        await as(paralegal).post(`/cases/${kase.id}/claimants/${id}/transitions`, { to, reason: '검토' }).expect(200);
      }
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('recomputes every claimant like computeClaim; proven secondary harm comes on top of the statutory part', async () => {
    const before = await as(paralegal).get(`/cases/${kase.id}/claims/summary`).expect(200);
    expect(before.body).toMatchObject({ ruleVersion: 1, claimants: 5, totalKrw: 0, outdated: 5, lastRecompute: null });

    const queued = await recompute();
    expect(queued.status).toBe('queued');
    const done = await recomputeDone(queued.id);
    expect(done).toMatchObject({ ruleVersion: 1, claimants: 5, changed: 5, cleared: 0, attempts: 1 });

    const rules = await currentRules();
    expect(rules.version).toBe(1);
    const rows = await expectClaimsMatch(rules);

    expect(Number(rowOf(rows, 'plain').claim_amount_krw)).toBe(300_000);
    expect(Number(rowOf(rows, 'orders').claim_amount_krw)).toBe(320_000);
    // repeats and order in exposed data do not matter
    expect(Number(rowOf(rows, 'door').claim_amount_krw)).toBe(350_000);
    // only the live accepted evidence counts: 300,000 + 50,000 + 20,000 + 100,000 x 3
    expect(Number(rowOf(rows, 'both+loss').claim_amount_krw)).toBe(670_000);
    expect(rowOf(rows, 'both+loss').claim_breakdown).toEqual([
      { component: 'base', amountKrw: 300_000 },
      { component: 'addition:orderHistory', amountKrw: 20_000 },
      { component: 'addition:entranceCode', amountKrw: 50_000 },
      { component: 'secondaryHarm', amountKrw: 100_000 },
      { component: 'secondaryHarmPunitive', amountKrw: 200_000 },
    ]);
    // 300,000 + 50,000 under the 3,000,000 statutory cap, and 2,000,000 x 3 proven on top (domain.md §1)
    const big = rowOf(rows, 'bigloss');
    expect(Number(big.claim_amount_krw)).toBe(6_350_000);
    expect(big.claim_breakdown?.at(-1)).toEqual({ component: 'secondaryHarmPunitive', amountKrw: 4_000_000 });
    expect(done.totalKrw).toBe(300_000 + 320_000 + 350_000 + 670_000 + 6_350_000);

    // the staff list and the claimant detail read the stored claim
    const list = await as(paralegal).get(`/cases/${kase.id}/claimants?limit=50`).expect(200);
    const listed = (list.body as { items: { id: string; claimAmountKrw: number | null }[] }).items;
    expect(listed.find((i) => i.id === ids.get('bigloss'))?.claimAmountKrw).toBe(6_350_000);
    expect(listed.find((i) => i.id === ids.get('withdrawn'))?.claimAmountKrw ?? null).toBeNull();
    const detail = await as(paralegal)
      .get(`/cases/${kase.id}/claimants/${ids.get('orders')}`)
      .expect(200);
    expect(detail.body).toMatchObject({ claimAmountKrw: 320_000, claimRuleVersion: 1 });
  });

  it('is idempotent: a new recompute and a re-run of a finished job change nothing', async () => {
    const first = await claimRows();
    const again = await recomputeDone((await recompute()).id);
    expect(again).toMatchObject({ claimants: 5, changed: 0, cleared: 0, totalKrw: 7_990_000 });
    expect(await claimRows()).toEqual(first);

    // A duplicate delivery of a finished job is a no-op; a job retried after its row was reset rewrites nothing.
    const service = t.worker!.get(ClaimRecomputeService);
    await service.run(again.id as string, { attempt: 2, maxAttempts: 3 });
    await ds.query(`UPDATE claim_recomputes SET status = 'running' WHERE id = $1`, [again.id]);
    await service.run(again.id as string, { attempt: 2, maxAttempts: 3 });
    expect(await claimRows()).toEqual(first);
    const view = await as(paralegal)
      .get(`/claims/recomputes/${String(again.id)}`)
      .expect(200);
    expect(view.body).toMatchObject({ status: 'done', changed: 0, attempts: 2 });
  });

  it('publishes each recompute as a new generation and drops the one it replaced (grace 0 in tests)', async () => {
    const current = async (): Promise<string> =>
      (
        await ds.query<{ generation: string }[]>(
          `SELECT generation::text AS generation FROM claim_generations WHERE case_id = $1 AND replaced_at IS NULL`,
          [kase.id],
        )
      )[0].generation;
    const exists = async (generation: string): Promise<boolean> =>
      (
        await ds.query<{ found: boolean }[]>(`SELECT to_regclass($1) IS NOT NULL AS found`, [
          `claimant_claims_g${generation}`,
        ])
      )[0].found;
    const before = await current();
    const rows = await claimRows();
    await recomputeDone((await recompute()).id);
    const after = await current();
    expect(BigInt(after)).toBeGreaterThan(BigInt(before));
    expect(await claimRows()).toEqual(rows);
    // The worker retires the replaced generation right after its commit.
    await waitFor(async () => ((await exists(before)) ? undefined : true), {
      timeoutMs: 10_000,
      what: `generation ${before} to be dropped`,
    });
    expect(await exists(after)).toBe(true);
    // One generation row per case is current; the replaced one is gone with its table.
    const rows2 = await ds.query<{ generation: string; current: boolean }[]>(
      `SELECT generation::text AS generation, replaced_at IS NULL AS current FROM claim_generations WHERE case_id = $1`,
      [kase.id],
    );
    expect(rows2).toEqual([{ generation: after, current: true }]);
  });

  it('rolls a failed attempt back completely (results and tables) and the retry publishes', async () => {
    const rows = await claimRows();
    const [{ before }] = await ds.query<{ before: string }[]>(
      `SELECT generation::text AS before FROM claim_generations WHERE case_id = $1 AND replaced_at IS NULL`,
      [kase.id],
    );
    // A table squatting on the name of the next generation makes the first attempt fail mid-way.
    const [{ next }] = await ds.query<{ next: string }[]>(
      `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS next FROM claim_generation_seq`,
    );
    await ds.query(`CREATE TABLE claimant_claims_g${next} (squatter int)`);
    const done = await recomputeDone((await recompute()).id);
    expect(done).toMatchObject({ status: 'done', attempts: 2, changed: 0 });
    expect(await claimRows()).toEqual(rows);
    const [{ after }] = await ds.query<{ after: string }[]>(
      `SELECT generation::text AS after FROM claim_generations WHERE case_id = $1 AND replaced_at IS NULL`,
      [kase.id],
    );
    expect(BigInt(after)).toBeGreaterThan(BigInt(next));
    // The squatter and the replaced generation are both cleaned up after the successful commit.
    await waitFor(
      async () => {
        const [{ left }] = await ds.query<{ left: number }[]>(
          `SELECT count(*)::int AS left FROM pg_class WHERE relname = ANY($1::text[])`,
          [[`claimant_claims_g${next}`, `claimant_claims_g${before}`]],
        );
        return left === 0 ? true : undefined;
      },
      { timeoutMs: 10_000, what: 'the failed and replaced generations to be dropped' },
    );
  }, 40_000);

  it('hands a filing that waited on a committing recompute the new generation, not none', async () => {
    const other = await createCase(t, attorney, { claimRules: RULES });
    const next = async (): Promise<string> =>
      (await ds.query<{ g: string }[]>(`SELECT nextval('claim_generation_seq')::text AS g`))[0].g;
    const old = await next();
    await ds.query(
      `INSERT INTO claim_generations (generation, case_id, firm_id, rule_version) VALUES ($1, $2, $3, 1)`,
      [old, other.id, firm.firmId],
    );
    const fresh = await next();
    // A recompute replacing the generation, not yet committed.
    const recompute = ds.createQueryRunner();
    await recompute.connect();
    await recompute.startTransaction();
    try {
      await recompute.query(`UPDATE claim_generations SET replaced_at = clock_timestamp() WHERE generation = $1`, [
        old,
      ]);
      await recompute.query(
        `INSERT INTO claim_generations (generation, case_id, firm_id, rule_version) VALUES ($1, $2, $3, 2)`,
        [fresh, other.id, firm.firmId],
      );
      // A filing asks for the current generation FOR SHARE and waits on that recompute.
      const filing = ds.transaction((tx) => currentClaimGeneration(tx, other.id, { lock: true }));
      await waitFor(
        async () => {
          const [{ n }] = await ds.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'`,
          );
          return n > 0 ? true : undefined;
        },
        { timeoutMs: 5_000, what: 'the filing to wait on the recompute' },
      );
      await recompute.commitTransaction();
      expect(await filing).toEqual({ generation: fresh, table: `claimant_claims_g${fresh}`, ruleVersion: 2 });
    } finally {
      if (recompute.isTransactionActive) await recompute.rollbackTransaction();
      await recompute.release();
      await ds.query(`DELETE FROM claim_generations WHERE case_id = $1`, [other.id]);
    }
  });

  it('summarizes the stored claims with SQL totals per status', async () => {
    const res = await as(paralegal).get(`/cases/${kase.id}/claims/summary`).expect(200);
    const rows = await claimRows();
    const amount = (key: string): number => Number(rowOf(rows, key).claim_amount_krw);
    expect(res.body).toEqual({
      caseId: kase.id,
      ruleVersion: 1,
      claimants: 5,
      totalKrw: rows.reduce((s, r) => s + Number(r.claim_amount_krw ?? 0), 0),
      byStatus: {
        submitted: { claimants: 2, totalKrw: amount('plain') + amount('bigloss') },
        under_review: { claimants: 1, totalKrw: amount('door') },
        approved: { claimants: 2, totalKrw: amount('orders') + amount('both+loss') },
      },
      excluded: { withdrawn: 1, rejected: 1 },
      outdated: 0,
      lastRecompute: expect.objectContaining({ status: 'done', ruleVersion: 1, claimants: 5, totalKrw: 7_990_000 }),
    });
    // admins read cases, not claimants; the summary carries no one's data, so they may see it
    await as(firm.adminToken).get(`/cases/${kase.id}/claims/summary`).expect(200);
  });

  it('a rules change makes a new version; the next recompute applies it', async () => {
    await as(attorney)
      .patch(`/cases/${kase.id}`, {
        claimRules: {
          baseAmountKrw: 200_000,
          additionsByCategoryKrw: { entranceCode: 100_000, email: 5_000 },
          secondaryHarmMultiplier: 2,
          capKrw: 250_000,
        },
      })
      .expect(200);
    const stale = await as(paralegal).get(`/cases/${kase.id}/claims/summary`).expect(200);
    expect(stale.body).toMatchObject({ ruleVersion: 2, outdated: 5, totalKrw: 7_990_000 });

    const done = await recomputeDone((await recompute(attorney)).id);
    const rules = await currentRules();
    expect(rules.version).toBe(2);
    expect(done).toMatchObject({ ruleVersion: 2, claimants: 5, changed: 5 });
    const rows = await expectClaimsMatch(rules);
    expect(rows.filter((r) => r.claim_amount_krw !== null).every((r) => r.claim_rule_version === 2)).toBe(true);
    expect(Number(rowOf(rows, 'plain').claim_amount_krw)).toBe(205_000);
    // the statutory part 300,000 is cut to the cap of 250,000
    expect(Number(rowOf(rows, 'door').claim_amount_krw)).toBe(250_000);
    expect(rowOf(rows, 'door').claim_breakdown?.at(-1)).toEqual({ component: 'cap', amountKrw: -50_000 });
    // min(250,000, 200,000 + 5,000 + 100,000) + 100,000 x 2
    expect(Number(rowOf(rows, 'both+loss').claim_amount_krw)).toBe(450_000);
    expect(Number(rowOf(rows, 'bigloss').claim_amount_krw)).toBe(250_000 + 4_000_000);

    const summary = await as(paralegal).get(`/cases/${kase.id}/claims/summary`).expect(200);
    expect(summary.body).toMatchObject({
      ruleVersion: 2,
      outdated: 0,
      totalKrw: rows.reduce((s, r) => s + Number(r.claim_amount_krw ?? 0), 0),
    });
    expect(summary.body.totalKrw).toBe(done.totalKrw);
  });

  it('a second request while one waits for a worker reuses it', async () => {
    // Written straight into the database, as if the worker were busy elsewhere.
    const queued = await ds.query<{ id: string }[]>(
      `WITH o AS (INSERT INTO outbox (queue, job_name, payload, dispatched_at)
                  VALUES ('claims', 'claims.recompute', '{}'::jsonb, now() + interval '1 day') RETURNING id)
       INSERT INTO claim_recomputes (firm_id, case_id, rule_version, job_id) SELECT $1, $2, 2, o.id FROM o RETURNING id`,
      [firm.firmId, kase.id],
    );
    const res = await as(paralegal).post(`/cases/${kase.id}/claims/recompute`).expect(202);
    expect(res.body.id).toBe(queued[0].id);
    await ds.query(`UPDATE outbox SET completed_at = now() WHERE id = $1`, [res.body.jobId]);
    await ds.query(`UPDATE claim_recomputes SET status = 'failed' WHERE id = $1`, [queued[0].id]);
  });

  it('is firm-scoped and permission-checked', async () => {
    await as(otherParalegal).post(`/cases/${kase.id}/claims/recompute`).expect(404);
    await as(otherParalegal).get(`/cases/${kase.id}/claims/summary`).expect(404);
    const last = await as(paralegal).get(`/cases/${kase.id}/claims/summary`).expect(200);
    await as(otherParalegal)
      .get(`/claims/recomputes/${String(last.body.lastRecompute.id)}`)
      .expect(404);
    await as(paralegal).post(`/cases/00000000-0000-4000-8000-000000000000/claims/recompute`).expect(404);
    // admins manage the firm, not claims
    await as(firm.adminToken).post(`/cases/${kase.id}/claims/recompute`).expect(403);
    await request(t.http).post(`/api/v1/cases/${kase.id}/claims/recompute`).expect(401);
  });
});
