import fc from 'fast-check';
import IORedis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CaseService } from '@app/cases';
import {
  INSERT_CLAIMANTS,
  IdempotencyKeyPurge,
  INSERT_KEYED_CLAIMANTS,
  INTAKE_FIELDS,
  IntakeService,
  consentKeys,
  insertKeyedClaimants,
  type KeyedInsert,
  sealClaimant,
  validateIntake,
  type NewClaimant,
} from '@app/claimants';
import { Vault } from '@app/security';
import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createCase, createFirm, createStaff, intakeBody } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Values of every JSON shape, including hostile strings. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    '홍길동'.normalize('NFD'),
    '😀😀😀',
    '<img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    '\u0000',
    '850314-1234567',
    'x'.repeat(5000),
    '010-1234-5678',
    '1985-02-29',
    '-1',
    '1e309',
  ),
);
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const FIELDS = [...INTAKE_FIELDS];

describe('public intake under generated input', () => {
  let t: TestApp;
  let slug: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { INTAKE_MAX_PER_ADDRESS: '100000', VELOCITY_MAX_PER_ADDRESS: '100000' } });
    const firm = await createFirm(t);
    slug = (await createCase(t, (await createStaff(t, firm, 'attorney')).token)).slug;
  });
  afterAll(async () => {
    await t.close();
  });

  it('no generated body produces a 5xx or leaks a stack', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          mutate: fc.subarray(FIELDS),
          values: fc.array(anyJson, { minLength: FIELDS.length, maxLength: FIELDS.length }),
          extra: fc.option(fc.dictionary(hostileString, anyJson, { maxKeys: 2 })),
          whole: fc.option(anyJson, { freq: 8 }),
        }),
        async ({ mutate, values, extra, whole }) => {
          const base = intakeBody();
          for (const [i, f] of mutate.entries()) base[f] = values[i];
          const body = whole ?? { ...base, ...(extra ?? {}) };
          const res = await request(t.http)
            .post(`/api/v1/public/cases/${slug}/claimants`)
            .set('content-type', 'application/json')
            .send(JSON.stringify(body) ?? 'null');
          expect(res.status).toBeLessThan(500);
          expect([201, 400, 409, 413, 422]).toContain(res.status);
          if (res.status !== 201) {
            expect(res.body).toMatchObject({
              statusCode: res.status,
              code: expect.any(String),
              correlationId: expect.any(String),
            });
            expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(?:js|ts):\d+/);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('flags velocity when one address submits many claimants in a short window', async () => {
    const app = await startTestApp({ env: { VELOCITY_MAX_PER_ADDRESS: '2' } });
    try {
      const firm = await createFirm(app);
      const paralegal = (await createStaff(app, firm, 'paralegal')).token;
      const kase = await createCase(app, (await createStaff(app, firm, 'attorney')).token);
      const refs: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await request(app.http)
          .post(`/api/v1/public/cases/${kase.slug}/claimants`)
          .send(intakeBody())
          .expect(201);
        refs.push(res.body.reference);
      }
      const flagged = await request(app.http)
        .get(`/api/v1/cases/${kase.id}/claimants?flag=velocity`)
        .set('authorization', `Bearer ${paralegal}`)
        .expect(200);
      expect(flagged.body.items.map((i: { reference: string }) => i.reference).sort()).toEqual(refs.slice(2).sort());
    } finally {
      await app.close();
    }
  });

  it('checks submissions that share one statement against each other', async () => {
    const app = await startTestApp({ env: { VELOCITY_MAX_PER_ADDRESS: '2' } });
    try {
      const firm = await createFirm(app);
      const created = await createCase(app, (await createStaff(app, firm, 'attorney')).token);
      const kase = (await app.api.get(CaseService).findBySlugCached(created.slug))!;
      const person = (name: string, birthDate: string, phone?: string): NewClaimant => {
        const checked = validateIntake(intakeBody({ name, birthDate, ...(phone ? { phone } : {}) }), {
          requiredConsents: consentKeys(kase).required,
          optionalConsents: consentKeys(kase).optional,
        });
        if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
        return {
          firmId: kase.firmId,
          kase,
          submission: checked.value,
          source: 'form',
          sourceIp: '203.0.113.77',
          consentedAt: new Date(),
        };
      };
      const intake = app.api.get(IntakeService);
      // Submitted in one turn of the event loop, so the group commit sends them as one statement.
      const [a, b, c, d] = await Promise.all([
        intake.create(person('성춘향', '1990-05-05', '010-3555-0101')),
        intake.create(person('월매', '1960-01-01', '010-3555-0101')),
        intake.create(person('방자', '1991-02-02')),
        intake.create(person('향단', '1992-03-03')),
      ]);
      const db = app.api.get(DataSource);
      const rows = await db.query<{ created_at: Date }[]>(
        `SELECT DISTINCT created_at FROM claimants WHERE id = ANY($1::uuid[])`,
        [[a.id, b.id, c.id, d.id]],
      );
      expect(rows).toHaveLength(1); // one transaction
      const flags = await db.query<{ claimant_id: string; kind: string; signal: string; matched: string | null }[]>(
        `SELECT claimant_id, kind, signal, matched_claimant_id AS matched FROM claimant_flags
          WHERE claimant_id = ANY($1::uuid[]) ORDER BY kind, signal`,
        [[a.id, b.id, c.id, d.id]],
      );
      expect(flags).toEqual(
        expect.arrayContaining([
          { claimant_id: b.id, kind: 'possible_duplicate', signal: 'phone', matched: a.id },
          { claimant_id: c.id, kind: 'velocity', signal: 'source_address', matched: null },
          { claimant_id: d.id, kind: 'velocity', signal: 'source_address', matched: null },
        ]),
      );
      // The first of a pair is never flagged against the later one, and the first two of an address
      // are under the velocity threshold.
      expect(flags.filter((f) => f.claimant_id === a.id)).toEqual([]);
      expect(flags.filter((f) => f.kind === 'velocity')).toHaveLength(2);
      const histories = await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM claimant_status_history
          WHERE claimant_id = ANY($1::uuid[]) AND to_status = 'submitted' AND actor_type = 'claimant'`,
        [[a.id, b.id, c.id, d.id]],
      );
      expect(histories[0].n).toBe(4);
    } finally {
      await app.close();
    }
  });

  it('takes keyed submissions together: one claimant per key, replays and a reused key refused', async () => {
    const intake = t.api.get(IntakeService);
    const db = t.api.get(DataSource);
    const first = intakeBody({ name: '이도령', birthDate: '1988-08-08' });
    const other = intakeBody({ name: '춘향모', birthDate: '1966-06-06' });
    const keyA = `batch-a-${Date.now()}`;
    const keyB = `batch-b-${Date.now()}`;
    const settled = await Promise.allSettled([
      intake.submit(slug, first, keyA, '203.0.113.10'),
      intake.submit(slug, first, keyA, '203.0.113.11'),
      intake.submit(slug, other, keyB, '203.0.113.12'),
      intake.submit(slug, other, keyA, '203.0.113.13'),
    ]);
    const [a1, a2, b, reused] = settled;
    if (a1.status !== 'fulfilled' || a2.status !== 'fulfilled' || b.status !== 'fulfilled') {
      throw new Error(JSON.stringify(settled));
    }
    expect(a2.value.body).toEqual(a1.value.body);
    expect([a1.value.replayed, a2.value.replayed].sort()).toEqual([false, true]);
    expect(b.value.body.reference).not.toBe(a1.value.body.reference);
    expect(reused.status).toBe('rejected');
    expect((reused as PromiseRejectedResult).reason).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const rows = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM claimants WHERE reference = ANY($1::text[])`,
      [[a1.value.body.reference, b.value.body.reference]],
    );
    expect(rows[0].n).toBe(2);
    // The same key again later replays the stored receipt.
    const again = await intake.submit(slug, first, keyA, '203.0.113.14');
    expect(again).toMatchObject({ replayed: true, body: a1.value.body });
  });

  it('lets a key older than a day be used afresh, even with another body', async () => {
    const intake = t.api.get(IntakeService);
    const db = t.api.get(DataSource);
    const key = `old-${Date.now()}`;
    const first = await intake.submit(slug, intakeBody(), key, '203.0.113.20');
    await db.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1 AND status_code = 201`,
      [key],
    );
    const fresh = await intake.submit(slug, intakeBody(), key, '203.0.113.21');
    expect(fresh.replayed).toBe(false);
    expect(fresh.body.reference).not.toBe(first.body.reference);
    const again = await intake.submit(slug, intakeBody(), key, '203.0.113.22').catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  /** A keyed submission as the group commit hands it to insertKeyedClaimants. */
  async function keyedItem(key: string, reference?: string): Promise<KeyedInsert> {
    const kase = (await t.api.get(CaseService).findBySlugCached(slug))!;
    const checked = validateIntake(intakeBody(), {
      requiredConsents: consentKeys(kase).required,
      optionalConsents: consentKeys(kase).optional,
    });
    if (!checked.ok) throw new Error('invalid body');
    const id = randomUUID();
    return {
      row: {
        id,
        firmId: kase.firmId,
        caseId: kase.id,
        reference: reference ?? `T${randomBytes(5).toString('hex').toUpperCase()}`,
        tokenHash: randomBytes(32),
        source: 'form',
        sealed: sealClaimant(t.api.get(Vault), id, checked.value),
        sourceIpBidx: null,
        exposedData: checked.value.exposedData,
        noticeReceivedOn: null,
        declaredLossKrw: 0,
        couponUsed: null,
        consents: '{}',
        attestedAt: new Date(),
      },
      key,
      requestHash: randomBytes(32),
      // A real sealed receipt, as the service stores (key rotation re-encrypts every one).
      responseEnc: t.api
        .get(Vault)
        .encrypt(
          { table: 'idempotency_keys', column: 'response_enc', rowId: `${kase.id}:${key}` },
          JSON.stringify({ reference: 'T-TEST', claimantToken: 'jsic_test', status: 'submitted' }),
        ),
    };
  }

  it('purges keys past their day, with their receipts, and keeps the rest', async () => {
    const db = t.api.get(DataSource);
    const intake = t.api.get(IntakeService);
    const [oldKey, newKey] = [`purge-old-${Date.now()}`, `purge-new-${Date.now()}`];
    await intake.submit(slug, intakeBody(), oldKey, '203.0.113.30');
    await intake.submit(slug, intakeBody(), newKey, '203.0.113.31');
    await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [oldKey]);
    expect(await new IdempotencyKeyPurge(db).runOnce()).toBeGreaterThanOrEqual(1);
    const left = await db.query<{ key: string }[]>(`SELECT key FROM idempotency_keys WHERE key = ANY($1::text[])`, [
      [oldKey, newKey],
    ]);
    expect(left.map((r) => r.key)).toEqual([newKey]);
  });

  it('releases the key of a keyed claimant whose reference was taken, storing nothing', async () => {
    const db = t.api.get(DataSource);
    const kase = (await t.api.get(CaseService).findBySlugCached(slug))!;
    const velocity = { windowMinutes: 10, max: 5 };
    const holder = await keyedItem(`holder-${Date.now()}`);
    const key = `collide-${Date.now()}`;
    const other = await keyedItem(`beside-${Date.now()}`);
    const item = await keyedItem(key, holder.row.reference);
    const pool = new Pool({ connectionString: t.config.databaseUrl, max: 1 });
    try {
      expect(await insertKeyedClaimants(pool, [holder], velocity)).toEqual([
        { kind: 'created', flags: expect.any(Number) },
      ]);
      // In a batch, the collision fails the statement; each submission then goes on its own.
      const outs = await insertKeyedClaimants(pool, [other, item], velocity);
      expect(outs).toEqual([{ kind: 'created', flags: expect.any(Number) }, { kind: 'collided' }]);
    } finally {
      await pool.end();
    }
    const keys = await db.query(`SELECT 1 FROM idempotency_keys WHERE case_id = $1 AND key = $2`, [kase.id, key]);
    expect(keys).toEqual([]);
    const rows = await db.query(`SELECT 1 FROM claimants WHERE id = $1`, [item.row.id]);
    expect(rows).toEqual([]);
    const kept = await db.query(`SELECT 1 FROM claimants WHERE id = $1`, [other.row.id]);
    expect(kept).toHaveLength(1);
  });

  it('never deadlocks two batches claiming the same keys in opposite orders', async () => {
    const pool = new Pool({ connectionString: t.config.databaseUrl, max: 2 });
    try {
      for (let round = 0; round < 20; round++) {
        const [k1, k2] = [`dl-${round}-a-${Date.now()}`, `dl-${round}-b-${Date.now()}`];
        const one = [await keyedItem(k1), await keyedItem(k2)];
        const two = [await keyedItem(k2), await keyedItem(k1)];
        const velocity = { windowMinutes: 10, max: 5 };
        const [a, b] = await Promise.all([
          insertKeyedClaimants(pool, one, velocity),
          insertKeyedClaimants(pool, two, velocity),
        ]);
        // Each key went to exactly one of the two batches; neither batch failed.
        const created = [...a, ...b].filter((o) => o.kind === 'created');
        expect(created).toHaveLength(2);
        expect([...a, ...b].filter((o) => o.kind === 'taken')).toHaveLength(2);
      }
    } finally {
      await pool.end();
    }
  });

  it.each([
    ['without', INSERT_CLAIMANTS, ''],
    ['with', INSERT_KEYED_CLAIMANTS, ', NULL, NULL, NULL'],
  ])(
    'plans every lookup of the intake statement (%s keys) on its index, even as a generic plan on an empty table',
    async (_, statement, keyArgs) => {
      // The intake statement is prepared once per connection; on launch day its generic plan is made
      // while claimants is nearly empty. That plan must still use the address index for the velocity
      // check and the blind-index indexes for duplicates, or every submission filters the whole case
      // (it did: 14 ms per submission at 3,000 claimants).
      const db = t.api.get(DataSource);
      const explain = await db.transaction(async (tx) => {
        await tx.query(`CREATE TEMP TABLE claimants (LIKE public.claimants INCLUDING ALL) ON COMMIT DROP`);
        await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
        await tx.query(`PREPARE intake_plan_probe AS ${statement}`);
        const rows = await tx.query<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN EXECUTE intake_plan_probe(${Array(24).fill('NULL').join(', ')}, 10, 5${keyArgs})`,
        );
        await tx.query(`DEALLOCATE intake_plan_probe`);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      // The temporary copy names its indexes after their columns; the address index drives the scan
      // and the address is never a mere filter over some other index's range.
      expect(explain).toMatch(/Index Cond: \(\(source_ip_bidx = p(_\d+)?\.source_ip_bidx\) AND \(created_at > /);
      let node = '';
      for (const line of explain.split('\n')) {
        if (line.includes('->')) node = line;
        // Only the batch's own rows (the probe CTE) may be filtered by address; claimants never are.
        if (/Filter: .*source_ip_bidx = /.test(line)) expect(node).toContain('CTE Scan on probe');
      }
      for (const column of ['phone_bidx', 'email_bidx', 'name_birth_bidx', 'address_bidx']) {
        expect(explain).toContain(`Index Cond: ((case_id = p.case_id) AND (${column} = p.${column}))`);
      }
      expect(explain).not.toMatch(/Seq Scan on claimants/);
    },
  );

  it('rate-limits submissions per source address with 429 RATE_LIMITED', async () => {
    const limited = await startTestApp({
      env: { INTAKE_MAX_PER_ADDRESS: '3', QUEUE_PREFIX: `jsitest-rl${Date.now()}` },
    });
    try {
      for (let i = 0; i < 3; i++) {
        await request(limited.http).post(`/api/v1/public/cases/${slug}/claimants`).send(intakeBody()).expect(201);
      }
      const res = await request(limited.http)
        .post(`/api/v1/public/cases/${slug}/claimants`)
        .send(intakeBody())
        .expect(429);
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Over the limit, the address is told so whatever it sends (not a validation error).
      const invalid = await request(limited.http)
        .post(`/api/v1/public/cases/${slug}/claimants`)
        .send({ name: '' })
        .expect(429);
      expect(invalid.body.code).toBe('RATE_LIMITED');
      // Once seen full, the window is refused without asking Redis: with its counter gone from
      // Redis, this process still refuses the address until the window ends.
      const redis = new IORedis(limited.config.redisUrl);
      try {
        const keys = await redis.keys(`${limited.config.queuePrefix}:rl:intake:address:*`);
        expect(keys.length).toBeGreaterThan(0);
        await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
      const again = await request(limited.http)
        .post(`/api/v1/public/cases/${slug}/claimants`)
        .send(intakeBody())
        .expect(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('counts every one of many concurrent submissions from one address', async () => {
    // Concurrent hits reach Redis together in one command; each must still count on its own.
    const limited = await startTestApp({
      env: { INTAKE_MAX_PER_ADDRESS: '4', TRUST_PROXY: 'loopback', QUEUE_PREFIX: `jsitest-rlc${Date.now()}` },
    });
    try {
      const from = (address: string) =>
        request(limited.http)
          .post(`/api/v1/public/cases/${slug}/claimants`)
          .set('x-forwarded-for', address)
          .send(intakeBody());
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => from('198.51.100.7')),
        from('198.51.100.8'),
      ]);
      const statuses = results.slice(0, 10).map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
      expect(results[10].status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('counts the address its trusted proxy saw, whatever the client writes in X-Forwarded-For, and an IPv6 /64 as one', async () => {
    const limited = await startTestApp({
      env: { INTAKE_MAX_PER_ADDRESS: '2', TRUST_PROXY: 'loopback', QUEUE_PREFIX: `jsitest-rlx${Date.now()}` },
    });
    try {
      const from = (forwarded: string) =>
        request(limited.http)
          .post(`/api/v1/public/cases/${slug}/claimants`)
          .set('x-forwarded-for', forwarded)
          .send(intakeBody());
      // The client writes a fresh first entry each time; the proxy (loopback here) appends the real one.
      const spoofed = [];
      for (let i = 0; i < 3; i++) spoofed.push((await from(`10.9.8.${i}, 198.51.100.77`)).status);
      expect(spoofed).toEqual([201, 201, 429]);
      // Addresses of one IPv6 /64 count together; another /64 is another source.
      const v6 = [];
      for (const ip of ['2001:db8:aa:bb::1', '2001:db8:aa:bb:abcd:ef01:2345:6789', '2001:db8:aa:bb::42']) {
        v6.push((await from(ip)).status);
      }
      expect(v6).toEqual([201, 201, 429]);
      expect((await from('2001:db8:aa:bc::1')).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});
