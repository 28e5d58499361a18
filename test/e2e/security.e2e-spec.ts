import request from 'supertest';
import { DataSource } from 'typeorm';
import { ADVISORY_LOCK } from '@app/platform';
import { AuditService, GENESIS_HASH, auditHash, type AuditEventInput, type FirmScope } from '@app/security';
import { routeAccessReport } from '../../apps/api/src/http/route-access';
import { auditPurgeCommand } from '../../apps/cli/src/commands/audit-purge';
import { auditVerifyCommand } from '../../apps/cli/src/commands/audit-verify';
import { createFirm, createStaff, login, uniqueEmail, TEST_PASSWORD, type TestFirm } from '../helpers/factories';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

describe('security core', () => {
  let t: TestApp;
  let ds: DataSource;
  let firmA: TestFirm;
  let firmB: TestFirm;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_PER_ACCOUNT: '4' } });
    ds = t.api.get(DataSource);
    firmA = await createFirm(t, 'Firm A');
    firmB = await createFirm(t, 'Firm B');
  });
  afterAll(async () => {
    await t.close();
  });

  const auth = (token: string): [string, string] => ['authorization', `Bearer ${token}`];

  it('every registered route declares a permission, the public mark or the claimant mark', () => {
    const routes = routeAccessReport(t.api);
    expect(routes.length).toBeGreaterThan(5);
    const open = routes.filter((r) => r.access === 'none').map((r) => `${r.controller}.${r.handler}`);
    expect(open).toEqual([]);
  });

  describe('login', () => {
    it('returns a token and the staff member', async () => {
      const res = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: firmA.adminEmail.toUpperCase(), password: TEST_PASSWORD })
        .expect(200);
      expect(res.body).toMatchObject({
        token: expect.stringMatching(/^jsis_[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
        staff: { firmId: firmA.firmId, email: firmA.adminEmail, role: 'admin' },
      });
      const me = await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(res.body.token))
        .expect(200);
      expect(me.body).toMatchObject({ id: firmA.adminId, role: 'admin' });
    });

    it('answers an unknown email and a wrong password alike', async () => {
      const unknown = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: uniqueEmail('ghost'), password: TEST_PASSWORD })
        .expect(401);
      const wrong = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: firmB.adminEmail, password: 'not the password at all' })
        .expect(401);
      expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
      expect({ ...unknown.body, correlationId: 'x' }).toEqual({ ...wrong.body, correlationId: 'x' });
    });

    it('throttles per account with 429 RATE_LIMITED', async () => {
      const s = await createStaff(t, firmB, 'paralegal');
      for (let i = 0; i < 4; i++) {
        await request(t.http)
          .post('/api/v1/auth/login')
          .send({ email: s.email, password: 'wrong wrong wrong' })
          .expect(401);
      }
      const res = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: s.email, password: TEST_PASSWORD })
        .expect(429);
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('logout ends the session', async () => {
      const token = await login(t, firmA.adminEmail);
      await request(t.http)
        .post('/api/v1/auth/logout')
        .set(...auth(token))
        .expect(204);
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(token))
        .expect(401);
    });

    it('refuses missing and forged tokens', async () => {
      const none = await request(t.http).get('/api/v1/auth/me').expect(401);
      expect(none.body.code).toBe('UNAUTHORIZED');
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth('jsis_forged'))
        .expect(401);
    });
  });

  describe('staff and roles', () => {
    it('offboarding: a valid token dies the moment the person is deactivated', async () => {
      const p = await createStaff(t, firmA, 'paralegal');
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(p.token))
        .expect(200);
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(firmA.adminToken))
        .send({ active: false })
        .expect(200);
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(p.token))
        .expect(401);
      await request(t.http).post('/api/v1/auth/login').send({ email: p.email, password: TEST_PASSWORD }).expect(401);
    });

    it('a role change ends every session of that person', async () => {
      const p = await createStaff(t, firmA, 'attorney');
      const second = await login(t, p.email);
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(firmA.adminToken))
        .send({ role: 'paralegal' })
        .expect(200);
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(p.token))
        .expect(401);
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(second))
        .expect(401);
    });

    it('least privilege: a paralegal cannot manage staff or read the audit trail', async () => {
      const p = await createStaff(t, firmA, 'paralegal');
      const res = await request(t.http)
        .get('/api/v1/staff')
        .set(...auth(p.token))
        .expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
      await request(t.http)
        .get('/api/v1/audit')
        .set(...auth(p.token))
        .expect(403);
    });

    it("another firm's ids answer 404 exactly like missing ones", async () => {
      const p = await createStaff(t, firmA, 'paralegal');
      const missing = await request(t.http)
        .get('/api/v1/staff/9b2f7c1e-0d4a-4c55-9f00-000000000000')
        .set(...auth(firmB.adminToken))
        .expect(404);
      const foreign = await request(t.http)
        .get(`/api/v1/staff/${p.id}`)
        .set(...auth(firmB.adminToken))
        .expect(404);
      expect(foreign.body.message).toBe(missing.body.message);
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(firmB.adminToken))
        .send({ active: false })
        .expect(404);
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...auth(p.token))
        .expect(200);
      const list = await request(t.http)
        .get('/api/v1/staff')
        .set(...auth(firmB.adminToken))
        .expect(200);
      expect(list.body.items.map((s: { id: string }) => s.id)).not.toContain(p.id);
    });

    it('mass assignment: role or firmId where they do not belong -> 400 and nothing changed', async () => {
      const email = uniqueEmail('mass');
      const res = await request(t.http)
        .post('/api/v1/staff')
        .set(...auth(firmA.adminToken))
        .send({ email, name: 'x', role: 'paralegal', password: TEST_PASSWORD, firmId: firmB.firmId })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toContainEqual({ field: 'firmId', message: expect.stringContaining('unknown field') });
      const count = await ds.query('SELECT count(*)::int AS n FROM staff WHERE email = $1', [email]);
      expect(count[0].n).toBe(0);

      const p = await createStaff(t, firmA, 'paralegal');
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(firmA.adminToken))
        .send({ firmId: firmB.firmId })
        .expect(400);
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(firmA.adminToken))
        .send({ role: 'superuser' })
        .expect(400);
      const after = await ds.query('SELECT firm_id, role FROM staff WHERE id = $1', [p.id]);
      expect(after[0]).toEqual({ firm_id: firmA.firmId, role: 'paralegal' });
      // A session cannot promote itself either: /auth/me takes no body and staff routes are admin-only.
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(p.token))
        .send({ role: 'admin' })
        .expect(403);
    });

    it('refuses short and common passwords', async () => {
      for (const password of ['short', 'password1234', 'qwertyuiop123']) {
        const res = await request(t.http)
          .post('/api/v1/staff')
          .set(...auth(firmA.adminToken))
          .send({ email: uniqueEmail('pw'), name: 'x', role: 'paralegal', password })
          .expect(400);
        expect(res.body.details[0].field).toBe('password');
      }
    });

    it('keeps at least one active admin', async () => {
      const res = await request(t.http)
        .patch(`/api/v1/staff/${firmB.adminId}`)
        .set(...auth(firmB.adminToken))
        .send({ active: false })
        .expect(409);
      expect(res.body.code).toBe('CONFLICT');
    });

    it('does not count a suspended admin, and two admins removing each other at once leave one', async () => {
      const firm = await createFirm(t, 'Two admins');
      const second = await createStaff(t, firm, 'admin');
      // The second admin is suspended by the read alarm: the first is the only one who can act.
      await ds.query(`UPDATE staff SET suspended_at = now(), suspended_reason = 'test' WHERE id = $1`, [second.id]);
      await request(t.http)
        .patch(`/api/v1/staff/${firm.adminId}`)
        .set(...auth(firm.adminToken))
        .send({ role: 'attorney' })
        .expect(409);
      await request(t.http)
        .patch(`/api/v1/staff/${second.id}`)
        .set(...auth(firm.adminToken))
        .send({ active: true })
        .expect(200);
      const secondToken = await login(t, second.email);
      const [a, b] = await Promise.all([
        request(t.http)
          .patch(`/api/v1/staff/${second.id}`)
          .set(...auth(firm.adminToken))
          .send({ active: false }),
        request(t.http)
          .patch(`/api/v1/staff/${firm.adminId}`)
          .set(...auth(secondToken))
          .send({ active: false }),
      ]);
      expect([a.status, b.status].filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      const left = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM staff WHERE firm_id = $1 AND role = 'admin' AND active`,
        [firm.firmId],
      );
      expect(left[0].n).toBe(1);
    });
  });

  describe('audit trail', () => {
    it('an audited request waits for its firm’s chain past API_LOCK_TIMEOUT_MS (only row locks give RECORD_BUSY)', async () => {
      const quick = await startTestApp({ env: { API_LOCK_TIMEOUT_MS: '200', LOGIN_MAX_PER_ACCOUNT: '4' } });
      const holder = ds.createQueryRunner();
      try {
        const firm = await createFirm(quick, 'Chain wait firm');
        await holder.connect();
        const [{ pid }] = await holder.manager.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
        await holder.startTransaction();
        // the firm's chain, held as a filing of many plaintiffs holds it while appending their events
        await holder.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))`, [
          Number(ADVISORY_LOCK.auditChain),
          firm.firmId,
        ]);
        const answer = request(quick.http)
          .post('/api/v1/auth/login')
          .send({ email: firm.adminEmail, password: TEST_PASSWORD })
          .then((r) => r);
        await waitFor(
          async () =>
            (
              await ds.query<{ n: number }[]>(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
                [pid],
              )
            )[0].n > 0 || undefined,
          { what: 'the login to wait for the chain' },
        );
        // Only elapsed time can show that a timeout did not fire: three times the API's lock timeout.
        await new Promise((r) => setTimeout(r, 600));
        await holder.commitTransaction();
        expect((await answer).status).toBe(200);
      } finally {
        if (holder.isTransactionActive) await holder.rollbackTransaction();
        await holder.release();
        await quick.close();
      }
    });

    it('records logins, failures and rights changes, filtered and paged', async () => {
      const firm = await createFirm(t, 'Audit firm');
      const p = await createStaff(t, firm, 'paralegal');
      await request(t.http).post('/api/v1/auth/login').send({ email: p.email, password: 'definitely wrong' });
      await request(t.http)
        .patch(`/api/v1/staff/${p.id}`)
        .set(...auth(firm.adminToken))
        .send({ role: 'attorney' });
      const all = await request(t.http)
        .get('/api/v1/audit?limit=100')
        .set(...auth(firm.adminToken))
        .expect(200);
      const actions = all.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'firm.created',
          'staff.created',
          'auth.login',
          'auth.login_failed',
          'staff.role_changed',
        ]),
      );
      const failed = all.body.items.find((e: { action: string }) => e.action === 'auth.login_failed');
      expect(failed).toMatchObject({ subjectId: p.id, sourceIp: expect.any(String), actorType: 'staff' });
      const page1 = await request(t.http)
        .get('/api/v1/audit?limit=2')
        .set(...auth(firm.adminToken))
        .expect(200);
      expect(page1.body.items).toHaveLength(2);
      const page2 = await request(t.http)
        .get(`/api/v1/audit?limit=2&cursor=${page1.body.nextCursor}`)
        .set(...auth(firm.adminToken))
        .expect(200);
      expect(Number(page2.body.items[0].id)).toBeLessThan(Number(page1.body.items[1].id));
      const bySubject = await request(t.http)
        .get(`/api/v1/audit?subjectId=${p.id}&action=staff.role_changed`)
        .set(...auth(firm.adminToken))
        .expect(200);
      expect(bySubject.body.items).toHaveLength(1);
      expect(bySubject.body.items[0].details).toMatchObject({ from: 'paralegal', to: 'attorney' });
      // Another firm sees none of it.
      const other = await request(t.http)
        .get(`/api/v1/audit?subjectId=${p.id}`)
        .set(...auth(firmA.adminToken));
      expect(other.body.items).toEqual([]);
    });

    it('refuses date filters it cannot read with 400, never 500', async () => {
      for (const bad of ['2025-W01', '2025-100', '20250101', '2025-02-30', 'yesterday', '2025-01-01T25:00']) {
        const res = await request(t.http)
          .get(`/api/v1/audit?from=${encodeURIComponent(bad)}`)
          .set(...auth(firmA.adminToken));
        expect([bad, res.status, res.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
      }
      for (const good of ['2025-01-01', '2025-01-01T09:00', '2025-01-01T09:00:00.123+09:00', '2025-01-01T00:00:00Z']) {
        await request(t.http)
          .get(`/api/v1/audit?to=${encodeURIComponent(good)}`)
          .set(...auth(firmA.adminToken))
          .expect(200);
      }
    });

    it('the database refuses UPDATE, DELETE and TRUNCATE of audit events', async () => {
      await expect(ds.query(`UPDATE audit_events SET reason = 'x'`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    });

    it('bulk appends (COPY, small batches by INSERT) chain exactly and keep awkward text intact', async () => {
      const firm = await createFirm(t, 'Bulk audit firm');
      const audit = t.api.get(AuditService);
      const awkward = ['tab\there', 'line\nbreak', 'back\\slash \\N \\x00', 'cr\rlf', '쌍따옴표 "인용" 🙂', '\\.'];
      const events = Array.from({ length: 1150 }, (_, i) => ({
        firmId: firm.firmId as FirmScope,
        actorType: 'system' as const,
        actorId: null,
        action: 'test.bulk',
        subjectType: 'claimant',
        subjectId: `s-${i}`,
        reason: awkward[i % awkward.length],
        details: { i, note: awkward[(i + 1) % awkward.length], list: ['a\tb', 'ㄱ'] },
        retention: 'access' as const,
      }));
      // 1,150 events from a lazy source: one COPY of 1,000, then 150 by COPY; then one event by INSERT
      async function* all(): AsyncGenerator<AuditEventInput> {
        for (const e of events) yield await Promise.resolve(e);
      }
      const written = await ds.transaction((tx) => audit.recordMany(tx, all()));
      expect(written).toBe(1150);
      await audit.recordNow({ ...events[0], subjectId: 'single', reason: 'tab\tagain' });
      const rows = await ds.query<{ subject_id: string; reason: string; details: { i: number; note: string } }[]>(
        `SELECT subject_id, reason, details FROM audit_events WHERE firm_id = $1 AND action = 'test.bulk' ORDER BY id`,
        [firm.firmId],
      );
      expect(rows).toHaveLength(1151);
      rows.slice(0, 1150).forEach((r, i) => {
        expect(r.subject_id).toBe(`s-${i}`);
        expect(r.reason).toBe(awkward[i % awkward.length]);
        expect(r.details).toEqual({ i, note: awkward[(i + 1) % awkward.length], list: ['a\tb', 'ㄱ'] });
      });
      expect(rows[1150]).toMatchObject({ subject_id: 'single', reason: 'tab\tagain' });
      expect(await audit.verify(firm.firmId as FirmScope)).toEqual({
        ok: true,
        checked: expect.any(Number),
        firstBrokenId: null,
      });
    });

    describe('retention purge', () => {
      const DAY = 86_400_000;
      /** A firm row with no audit events yet, so the events a test writes start its chain. */
      const bareFirm = async (name: string): Promise<string> =>
        (await ds.query<{ id: string }[]>(`INSERT INTO firms (name) VALUES ($1) RETURNING id`, [name]))[0].id;

      /** Appends events straight to a chain (as written years ago), hashed exactly as the service hashes. */
      async function appendRaw(firmId: string, keepUntil: Date[]): Promise<string[]> {
        const ids: string[] = [];
        for (const until of keepUntil) {
          const head = await ds.query<{ hash: Buffer }[]>(
            `SELECT hash FROM audit_events WHERE firm_id = $1 ORDER BY id DESC LIMIT 1`,
            [firmId],
          );
          const prev = head[0]?.hash ?? GENESIS_HASH;
          const fields = {
            firmId,
            at: new Date(until.getTime() - 730 * DAY),
            actorType: 'system',
            actorId: null,
            action: 'test.old',
            subjectType: null,
            subjectId: null,
            reason: null,
            sourceIp: null,
            details: { n: ids.length },
            retention: 'access',
            keepUntil: until,
          };
          const rows = await ds.query<{ id: string }[]>(
            `INSERT INTO audit_events (firm_id, at, actor_type, actor_id, action, subject_type, subject_id, reason,
                                       source_ip, details, retention, keep_until, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
            [
              firmId,
              fields.at,
              fields.actorType,
              null,
              fields.action,
              null,
              null,
              null,
              null,
              JSON.stringify(fields.details),
              fields.retention,
              until,
              prev,
              auditHash(prev, fields),
            ],
          );
          ids.push(String(rows[0].id));
        }
        return ids;
      }

      const chainIds = async (firmId: string): Promise<string[]> =>
        (await ds.query<{ id: string }[]>(`SELECT id FROM audit_events WHERE firm_id = $1 ORDER BY id`, [firmId])).map(
          (r) => String(r.id),
        );

      it('removes only an expired prefix of a chain, records the cut, and the rest still verifies', async () => {
        const firmId = await bareFirm('Retention firm');
        const past = new Date(Date.now() - DAY);
        const future = new Date(Date.now() + 30 * DAY);
        // expired, expired, expired | kept | expired, expired (after a kept event: stays)
        const ids = await appendRaw(firmId, [past, past, past, future, past, past]);
        const audit = t.api.get(AuditService);
        await audit.recordNow({
          firmId: firmId as FirmScope,
          actorType: 'system',
          actorId: null,
          action: 'test.recent',
          retention: 'access',
        });
        expect(await audit.verify(firmId as FirmScope)).toMatchObject({ ok: true, checked: 7 });

        const first = await audit.purgeExpired();
        expect(first.purged).toBeGreaterThanOrEqual(3);
        const left = await chainIds(firmId);
        expect(left.slice(0, 3)).toEqual(ids.slice(3)); // the kept event and everything after it
        const purges = await ds.query<{ through_id: string; events: string }[]>(
          `SELECT through_id, events FROM audit_purges WHERE firm_id = $1`,
          [firmId],
        );
        expect(purges).toEqual([{ through_id: ids[2], events: '3' }]);
        const purgedEvent = await ds.query<{ details: Record<string, unknown> }[]>(
          `SELECT details FROM audit_events WHERE firm_id = $1 AND action = 'audit.purged'`,
          [firmId],
        );
        expect(purgedEvent).toEqual([{ details: { events: 3, throughId: ids[2] } }]);
        // test.recent, audit.purged, and the four left of the raw ones
        expect(await audit.verify(firmId as FirmScope)).toEqual({ ok: true, checked: 5, firstBrokenId: null });

        // nothing expired at the start of this chain any more: a second run leaves it alone
        await audit.purgeExpired();
        expect(await chainIds(firmId)).toEqual(left);
      });

      it('cuts a long expired prefix in several transactions, each recorded and verifiable', async () => {
        const firmId = await bareFirm('Batched firm');
        const past = new Date(Date.now() - DAY);
        const ids = await appendRaw(firmId, [past, past, past, past, past, past, past, new Date(Date.now() + DAY)]);
        await t.api.get(AuditService).purgeExpired(3);
        const cuts = await ds.query<{ through_id: string; events: string }[]>(
          `SELECT through_id, events FROM audit_purges WHERE firm_id = $1 ORDER BY id`,
          [firmId],
        );
        expect(cuts).toEqual([
          { through_id: ids[2], events: '3' },
          { through_id: ids[5], events: '3' },
          { through_id: ids[6], events: '1' },
        ]);
        expect((await chainIds(firmId))[0]).toBe(ids[7]);
        expect(await t.api.get(AuditService).verify(firmId as FirmScope)).toMatchObject({ ok: true, checked: 4 });
        await expect(t.api.get(AuditService).purgeExpired(0)).rejects.toThrow(RangeError);
      });

      it('keeps the newest event of a chain even when everything has expired', async () => {
        const firmId = await bareFirm('Expired firm');
        const past = new Date(Date.now() - DAY);
        const ids = await appendRaw(firmId, [past, past, past]);
        // through the operator command this time
        const out: string[] = [];
        const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((text) => {
          out.push(String(text));
          return true;
        });
        try {
          expect(await auditPurgeCommand()).toBe(0);
        } finally {
          stdout.mockRestore();
        }
        expect(JSON.parse(out.join(''))).toMatchObject({ purged: expect.any(Number), chains: expect.any(Number) });
        const left = await chainIds(firmId);
        expect(left[0]).toBe(ids[2]);
        expect(left).toHaveLength(2); // the head and the audit.purged event after it
        expect(await t.api.get(AuditService).verify(firmId as FirmScope)).toMatchObject({ ok: true, checked: 2 });
      });

      it('the database refuses any other DELETE, even of expired events, and keeps purge records', async () => {
        const firmId = await bareFirm('Gate firm');
        const past = new Date(Date.now() - DAY);
        const future = new Date(Date.now() + DAY);
        const ids = await appendRaw(firmId, [past, future, past]);
        // expired, but no purge record covers it
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(`SET LOCAL jsi.audit_purge = 'on'`);
            await tx.query(`DELETE FROM audit_events WHERE id = $1`, [ids[0]]);
          }),
        ).rejects.toThrow(/append-only/);
        // a forged purge record is refused: wrong hash, a cut at an unexpired event, a cut at the head
        const hashOf = async (id: string): Promise<Buffer> =>
          (await ds.query<{ hash: Buffer }[]>(`SELECT hash FROM audit_events WHERE id = $1`, [id]))[0].hash;
        for (const [through, hash] of [
          [ids[0], Buffer.alloc(32)],
          [ids[1], await hashOf(ids[1])],
          [ids[2], await hashOf(ids[2])],
        ] as const) {
          await expect(
            ds.query(`INSERT INTO audit_purges (firm_id, through_id, through_hash, events) VALUES ($1, $2, $3, 1)`, [
              firmId,
              through,
              hash,
            ]),
          ).rejects.toThrow(/not a valid cut/);
        }
        // a valid cut, but the transaction did not declare a purge: the DELETE is still refused
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(
              `INSERT INTO audit_purges (firm_id, through_id, through_hash, events) VALUES ($1, $2, $3, 1)`,
              [firmId, ids[0], await hashOf(ids[0])],
            );
            await tx.query(`DELETE FROM audit_events WHERE id = $1`, [ids[0]]);
          }),
        ).rejects.toThrow(/append-only/);
        expect(await chainIds(firmId)).toEqual(ids);
        await t.api.get(AuditService).purgeExpired();
        await expect(ds.query(`UPDATE audit_purges SET events = 0`)).rejects.toThrow(/append-only/);
        await expect(ds.query(`DELETE FROM audit_purges`)).rejects.toThrow(/append-only/);
        await expect(ds.query(`TRUNCATE audit_purges`)).rejects.toThrow(/append-only/);
      });

      it('refuses to purge an expired prefix that no longer verifies (it would erase the evidence)', async () => {
        const firmId = await bareFirm('Tampered prefix firm');
        const past = new Date(Date.now() - DAY);
        const ids = await appendRaw(firmId, [past, past, new Date(Date.now() + DAY)]);
        await ds.transaction(async (tx) => {
          await tx.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`);
          await tx.query(`UPDATE audit_events SET details = '{"n": 99}' WHERE id = $1`, [ids[1]]);
          await tx.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`);
        });
        // an expired prefix elsewhere still goes: one chain's trouble does not hold the others back
        const other = await bareFirm('Healthy firm');
        const otherIds = await appendRaw(other, [past, new Date(Date.now() + DAY)]);
        const result = await t.api.get(AuditService).purgeExpired();
        expect(result.failures).toEqual([
          `chain ${firmId}: audit chain broken at event ${ids[1]}: nothing purged from this chain`,
        ]);
        expect(await chainIds(firmId)).toEqual(ids);
        expect((await chainIds(other))[0]).toBe(otherIds[1]);
        // put it back for the tests that verify every chain
        await ds.transaction(async (tx) => {
          await tx.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`);
          await tx.query(`UPDATE audit_events SET details = '{"n": 1}' WHERE id = $1`, [ids[1]]);
          await tx.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`);
        });
        expect(await t.api.get(AuditService).verify(firmId as FirmScope)).toMatchObject({ ok: true });
      });

      it('detects events removed behind the purge (the chain no longer starts at the recorded cut)', async () => {
        const firmId = await bareFirm('Cut firm');
        const past = new Date(Date.now() - DAY);
        const future = new Date(Date.now() + DAY);
        const ids = await appendRaw(firmId, [past, future, future, future]);
        const audit = t.api.get(AuditService);
        await audit.purgeExpired();
        expect(await audit.verify(firmId as FirmScope)).toMatchObject({ ok: true });
        const [removed] = await ds.query<Record<string, unknown>[]>(`SELECT * FROM audit_events WHERE id = $1`, [
          ids[1],
        ]);
        await ds.transaction(async (tx) => {
          await tx.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_purge_only`);
          await tx.query(`DELETE FROM audit_events WHERE id = $1`, [ids[1]]);
          await tx.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_purge_only`);
        });
        expect(await audit.verify(firmId as FirmScope)).toEqual({ ok: false, checked: 0, firstBrokenId: ids[2] });
        // put it back: the chain holds again (and later tests see only their own breakage)
        const columns = Object.keys(removed);
        await ds.query(
          `INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map((_, k) => `$${k + 1}`).join(', ')})`,
          columns.map((c) => (c === 'details' ? JSON.stringify(removed[c]) : removed[c])),
        );
        expect(await audit.verify(firmId as FirmScope)).toMatchObject({ ok: true });
      });
    });

    it('detects a row edited behind the application', async () => {
      const firm = await createFirm(t, 'Tamper firm');
      await createStaff(t, firm, 'attorney');
      const ok = await request(t.http)
        .get('/api/v1/audit/verify')
        .set(...auth(firm.adminToken))
        .expect(200);
      expect(ok.body).toEqual({ ok: true, checked: expect.any(Number), firstBrokenId: null });
      expect(ok.body.checked).toBeGreaterThanOrEqual(4);
      const victim = await ds.query(
        `SELECT id FROM audit_events WHERE firm_id = $1 AND action = 'staff.created' ORDER BY id DESC LIMIT 1`,
        [firm.firmId],
      );
      await ds.transaction(async (tx) => {
        await tx.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`);
        await tx.query(`UPDATE audit_events SET details = '{"role":"admin"}' WHERE id = $1`, [victim[0].id]);
        await tx.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`);
      });
      const broken = await request(t.http)
        .get('/api/v1/audit/verify')
        .set(...auth(firm.adminToken))
        .expect(200);
      expect(broken.body).toMatchObject({ ok: false, firstBrokenId: String(victim[0].id) });
      const out: string[] = [];
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
        out.push(String(s));
        return true;
      });
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        expect(await auditVerifyCommand()).toBe(1);
      } finally {
        spy.mockRestore();
        stdout.mockRestore();
      }
      expect(out.join('')).toContain(`event ${victim[0].id}`);
    });
  });
});
