import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource, type QueryRunner } from 'typeorm';
import { createCase, createFirm, createStaff, intakeBody, type TestFirm } from '../helpers/factories';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

describe('public intake, desk, workflow and portal', () => {
  let t: TestApp;
  let ds: DataSource;
  let firm: TestFirm;
  let other: TestFirm;
  let paralegal: string;
  let kase: { id: string; slug: string };

  beforeAll(async () => {
    t = await startTestApp({ env: { INTAKE_MAX_PER_ADDRESS: '100000', VELOCITY_MAX_PER_ADDRESS: '100000' } });
    ds = t.api.get(DataSource);
    firm = await createFirm(t);
    other = await createFirm(t, 'Other firm');
    const attorney = await createStaff(t, firm, 'attorney');
    paralegal = (await createStaff(t, firm, 'paralegal')).token;
    kase = await createCase(t, attorney.token);
  });
  afterAll(async () => {
    await t.close();
  });

  const staff = (path: string, token = paralegal) => ({
    get: () => request(t.http).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`),
    post: (body: object) => request(t.http).post(`/api/v1${path}`).set('authorization', `Bearer ${token}`).send(body),
  });
  const submit = (body: object, key?: string) => {
    const r = request(t.http).post(`/api/v1/public/cases/${kase.slug}/claimants`);
    return key ? r.set('idempotency-key', key).send(body) : r.send(body);
  };

  it('shows the public case with its Korean consent texts', async () => {
    const res = await request(t.http).get(`/api/v1/public/cases/${kase.slug}`).expect(200);
    expect(res.body).toMatchObject({ slug: kase.slug, intakeOpen: true, evidenceKinds: expect.any(Array) });
    const consent = res.body.consents.find((c: { key: string }) => c.key === 'collectionAndUse');
    expect(consent).toMatchObject({ required: true, version: expect.any(String) });
    for (const k of ['purpose', 'items', 'retention', 'refusal']) expect(consent[k]).toMatch(/[가-힣]/);
    await request(t.http).get('/api/v1/public/cases/no-such-case').expect(404);
  });

  it('takes a claimant and answers with a reference and a one-time token', async () => {
    const res = await submit(intakeBody()).expect(201);
    expect(res.body).toEqual({
      reference: expect.stringMatching(/^CP-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/),
      claimantToken: expect.stringMatching(/^jsic_[A-Za-z0-9_-]{43}$/),
      status: 'submitted',
    });
    const row = await ds.query(`SELECT name_enc, phone_enc, token_hash, consents FROM claimants WHERE reference = $1`, [
      res.body.reference,
    ]);
    expect(row[0].name_enc).toMatch(/^v1\./);
    expect(row[0].name_enc).not.toContain('홍길동');
    expect(row[0].token_hash.toString('hex')).not.toContain(res.body.claimantToken);
    expect(row[0].consents.collectionAndUse).toMatchObject({
      given: true,
      version: '2025-12-01',
      at: expect.any(String),
    });
  });

  describe('validation that knows Korea', () => {
    it.each([
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(100_000) }, 'name'],
      [{ name: '<script>alert(1)</script>' }, 'name'],
      [{ name: '홍길동😀' }, 'name'],
      [{ name: "Robert'); DROP TABLE claimants;--" }, 'name'],
      [{ birthDate: '1985-02-30' }, 'birthDate'],
      [{ birthDate: '2099-01-01' }, 'birthDate'],
      [{ birthDate: 19850314 }, 'birthDate'],
      [{ phone: '02-123-4567' }, 'phone'],
      [{ phone: '010-1234' }, 'phone'],
      [{ email: 'not-an-email' }, 'email'],
      [{ address: { postalCode: '1234', line1: '서울' } }, 'address.postalCode'],
      [{ address: 'somewhere' }, 'address'],
      [{ exposedData: ['creditCard'] }, 'exposedData[0]'],
      [{ harms: [{ kind: 'smishing', occurredOn: '2025-12-03', lossKrw: -5 }] }, 'harms[0].lossKrw'],
      [{ consents: { collectionAndUse: true, provisionForLitigation: false } }, 'consents.provisionForLitigation'],
      [{ attestation: false }, 'attestation'],
      [{ isAdmin: true }, 'isAdmin'],
    ])('rejects bad input #%#', async (patch, field) => {
      const res = await submit(intakeBody(patch)).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain('DROP TABLE');
    });

    it('normalizes NFD Hangul names to NFC', async () => {
      const res = await submit(intakeBody({ name: '김철수'.normalize('NFD') })).expect(201);
      const found = await staff(`/cases/${kase.id}/claimants?q=${encodeURIComponent('김철수')}`)
        .get()
        .expect(200);
      expect(found.body.items.map((i: { reference: string }) => i.reference)).toContain(res.body.reference);
    });

    it('refuses under-14s with a clear code', async () => {
      const young = new Date(Date.now() - 10 * 365 * 86_400_000).toISOString().slice(0, 10);
      const res = await submit(intakeBody({ birthDate: young })).expect(422);
      expect(res.body.code).toBe('UNDER_14');
    });

    it('never accepts a resident registration number, and says so', async () => {
      const res = await submit(intakeBody({ residentRegistrationNumber: '850314-1234567' })).expect(400);
      expect(res.body.details[0].message).toMatch(/never collected/);
      expect(JSON.stringify(res.body)).not.toContain('1234567');
      const inText = await submit(intakeBody({ address: { postalCode: '06236', line1: '850314-1234567' } })).expect(
        400,
      );
      expect(inText.body.details[0].message).toMatch(/resident registration/);
    });

    it('answers malformed JSON and wrong types with 400, never 500', async () => {
      await request(t.http)
        .post(`/api/v1/public/cases/${kase.slug}/claimants`)
        .set('content-type', 'application/json')
        .send('{"name": "홍길동",')
        .expect(400);
      await submit([1, 2, 3]).expect(400);
    });
  });

  describe('Idempotency-Key', () => {
    it('same key and body replay the first response; one claimant', async () => {
      const body = intakeBody();
      const key = `key-${Date.now()}`;
      const first = await submit(body, key).expect(201);
      const second = await submit(body, key).expect(201);
      expect(second.body).toEqual(first.body);
      const n = await ds.query(`SELECT count(*)::int AS n FROM claimants WHERE reference = $1`, [first.body.reference]);
      expect(n[0].n).toBe(1);
    });

    it('same key with another body -> 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const key = `key2-${Date.now()}`;
      await submit(intakeBody(), key).expect(201);
      const res = await submit(intakeBody(), key).expect(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('concurrent retries still make one claimant', async () => {
      const body = intakeBody();
      const key = `key3-${Date.now()}`;
      const before = await ds.query(`SELECT count(*)::int AS n FROM claimants WHERE case_id = $1`, [kase.id]);
      const results = await Promise.all(Array.from({ length: 6 }, () => submit(body, key)));
      for (const r of results) expect(r.status).toBe(201);
      expect(new Set(results.map((r) => r.body.reference)).size).toBe(1);
      const after = await ds.query(`SELECT count(*)::int AS n FROM claimants WHERE case_id = $1`, [kase.id]);
      expect(after[0].n - before[0].n).toBe(1);
    });
  });

  it('closed intake -> 409 INTAKE_CLOSED', async () => {
    const attorney = await createStaff(t, firm, 'attorney');
    const closed = await createCase(t, attorney.token, { intakeOpen: false });
    const res = await request(t.http)
      .post(`/api/v1/public/cases/${closed.slug}/claimants`)
      .send(intakeBody())
      .expect(409);
    expect(res.body.code).toBe('INTAKE_CLOSED');
  });

  it('still answers a retry of a submission that went through once intake has closed', async () => {
    const attorney = await createStaff(t, firm, 'attorney');
    const c = await createCase(t, attorney.token);
    const post = (body: object, key: string) =>
      request(t.http).post(`/api/v1/public/cases/${c.slug}/claimants`).set('idempotency-key', key).send(body);
    const body = intakeBody();
    const key = `closing-${Date.now()}`;
    const first = await post(body, key).expect(201);
    await request(t.http)
      .patch(`/api/v1/cases/${c.id}`)
      .set('authorization', `Bearer ${attorney.token}`)
      .send({ intakeOpen: false })
      .expect(200);
    // The answer lost on the way to the phone arrives on the retry; nothing new is taken.
    const retry = await post(body, key).expect(201);
    expect(retry.body).toEqual(first.body);
    expect((await post(body, `${key}-new`).expect(409)).body.code).toBe('INTAKE_CLOSED');
    expect((await post({ ...body, email: 'other@example.kr' }, key).expect(409)).body.code).toBe('INTAKE_CLOSED');
    // A hostile body with a stored key is refused like any other, never a 500.
    const deep = JSON.stringify(body).replace(/}$/, `,"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    const refused = await request(t.http)
      .post(`/api/v1/public/cases/${c.slug}/claimants`)
      .set('idempotency-key', key)
      .set('content-type', 'application/json')
      .send(deep);
    expect([refused.status, refused.body.code]).toEqual([409, 'INTAKE_CLOSED']);
  });

  it('flags duplicates without telling the submitter', async () => {
    const body = intakeBody({ name: '변학도', birthDate: '1970-01-02' });
    const first = await submit(body).expect(201);
    const again = await submit({ ...body, email: 'another@example.kr' }).expect(201);
    expect(Object.keys(again.body).sort()).toEqual(Object.keys(first.body).sort());
    const flagged = await staff(`/cases/${kase.id}/claimants?flag=possible_duplicate&q=${again.body.reference}`)
      .get()
      .expect(200);
    expect(flagged.body.items).toHaveLength(1);
    const detail = await staff(`/cases/${kase.id}/claimants/${flagged.body.items[0].id}`).get().expect(200);
    const signals = detail.body.flags.map((f: { signal: string }) => f.signal).sort();
    expect(signals).toEqual(expect.arrayContaining(['address', 'name_birth', 'phone']));
    for (const f of detail.body.flags) expect(f.matchedReference).toBe(first.body.reference);
  });

  it('lists masked, searches by phone in any format, email, exact name and reference', async () => {
    const body = intakeBody({ name: '이몽룡', phone: '010-9876-5432', email: 'mongryong@example.kr' });
    const created = await submit(body).expect(201);
    for (const q of [
      '010-9876-5432',
      '01098765432',
      '+82 10 9876 5432',
      'MongRyong@Example.kr',
      '이몽룡',
      created.body.reference,
    ]) {
      const res = await staff(`/cases/${kase.id}/claimants?q=${encodeURIComponent(q)}`)
        .get()
        .expect(200);
      const item = res.body.items.find((i: { reference: string }) => i.reference === created.body.reference);
      expect(item).toMatchObject({ name: '이*룡', phone: '010-****-5432', status: 'submitted' });
    }
    const none = await staff(`/cases/${kase.id}/claimants?q=${encodeURIComponent('010-0000-0001')}`)
      .get()
      .expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('pages with a keyset cursor', async () => {
    const page1 = await staff(`/cases/${kase.id}/claimants?limit=3`).get().expect(200);
    expect(page1.body.items).toHaveLength(3);
    const page2 = await staff(`/cases/${kase.id}/claimants?limit=3&cursor=${page1.body.nextCursor}`).get().expect(200);
    const ids1 = page1.body.items.map((i: { id: string }) => i.id);
    for (const i of page2.body.items) expect(ids1).not.toContain(i.id);
    await staff(`/cases/${kase.id}/claimants?cursor=garbage!`).get().expect(400);
  });

  it('detail is decrypted and audited', async () => {
    const created = await submit(intakeBody({ name: '성춘향' })).expect(201);
    const list = await staff(`/cases/${kase.id}/claimants?q=${created.body.reference}`).get();
    const id = list.body.items[0].id;
    const res = await staff(`/cases/${kase.id}/claimants/${id}`).get().expect(200);
    expect(res.body).toMatchObject({
      name: '성춘향',
      phone: expect.stringMatching(/^010-\d{4}-\d{4}$/),
      status: 'submitted',
    });
    const audit = await ds.query(
      `SELECT actor_type FROM audit_events WHERE action = 'claimant.read' AND subject_id = $1`,
      [id],
    );
    expect(audit).toHaveLength(1);
  });

  it('moves through the workflow; illegal moves are 409 INVALID_TRANSITION', async () => {
    const created = await submit(intakeBody()).expect(201);
    const id = (await staff(`/cases/${kase.id}/claimants?q=${created.body.reference}`).get()).body.items[0].id;
    const move = (to: string) => staff(`/cases/${kase.id}/claimants/${id}/transitions`).post({ to, reason: '검토' });
    expect((await move('approved').expect(409)).body.code).toBe('INVALID_TRANSITION');
    // A reason PostgreSQL cannot store (U+0000) is the caller's 400, and the move does not happen.
    const nul = await staff(`/cases/${kase.id}/claimants/${id}/transitions`)
      .post({ to: 'under_review', reason: 'a\u0000b' })
      .expect(400);
    expect(nul.body).toMatchObject({ code: 'BAD_REQUEST', correlationId: expect.any(String) });
    expect(JSON.stringify(nul.body)).not.toMatch(/stack|postgres|invalid byte/i);
    await move('under_review').expect(200);
    await move('needs_info').expect(200);
    await move('under_review').expect(200);
    await move('approved').expect(200);
    expect((await move('filed').expect(409)).body.code).toBe('INVALID_TRANSITION');
    await move('bogus').expect(400);
    const detail = await staff(`/cases/${kase.id}/claimants/${id}`).get().expect(200);
    expect(detail.body.history.map((h: { to: string }) => h.to)).toEqual([
      'submitted',
      'under_review',
      'needs_info',
      'under_review',
      'approved',
    ]);
  });

  it("another firm's case and claimant ids answer 404", async () => {
    const created = await submit(intakeBody()).expect(201);
    const id = (await staff(`/cases/${kase.id}/claimants?q=${created.body.reference}`).get()).body.items[0].id;
    const otherParalegal = (await createStaff(t, other, 'paralegal')).token;
    await staff(`/cases/${kase.id}/claimants`, otherParalegal).get().expect(404);
    await staff(`/cases/${kase.id}/claimants/${id}`, otherParalegal).get().expect(404);
    await staff(`/cases/${kase.id}/statistics`, otherParalegal).get().expect(404);
    await staff(`/cases/${kase.id}/claimants/${id}/transitions`, otherParalegal)
      .post({ to: 'under_review', reason: 'x' })
      .expect(404);
    await staff(`/cases/${kase.id}`, other.adminToken).get().expect(404);
  });

  it('merges a duplicate: one survives, the other is erased and points to it', async () => {
    const body = intakeBody();
    const a = await submit(body).expect(201);
    const b = await submit(body).expect(201);
    const idOf = async (ref: string) =>
      (await staff(`/cases/${kase.id}/claimants?q=${ref}`).get()).body.items[0].id as string;
    const [ia, ib] = [await idOf(a.body.reference), await idOf(b.body.reference)];
    // A flag naming nobody (velocity) goes with the absorbed record's data too.
    await ds.query(
      `INSERT INTO claimant_flags (firm_id, case_id, claimant_id, kind, signal)
       SELECT firm_id, case_id, id, 'velocity', 'source_address' FROM claimants WHERE id = $1`,
      [ib],
    );
    await staff(`/cases/${kase.id}/claimants/${ia}/merge`).post({ absorbedId: ib, reason: '동일인' }).expect(204);
    const left = await ds.query<{ kind: string; status: string }[]>(
      `SELECT kind, status FROM claimant_flags WHERE claimant_id = $1 OR matched_claimant_id = $1`,
      [ib],
    );
    // Only the flags between the two remain, closed as merged.
    expect(left.every((f) => f.kind === 'possible_duplicate' && f.status === 'merged')).toBe(true);
    const absorbed = await ds.query(
      `SELECT merged_into, name_enc, status, source_ip_bidx, token_hash FROM claimants WHERE id = $1`,
      [ib],
    );
    expect(absorbed[0]).toEqual({
      merged_into: ia,
      name_enc: null,
      status: 'withdrawn',
      source_ip_bidx: null,
      token_hash: null,
    });
    const survivor = await staff(`/cases/${kase.id}/claimants/${ia}`).get().expect(200);
    expect(
      survivor.body.flags.every(
        (f: { status: string; matchedClaimantId: string }) => f.status !== 'open' || f.matchedClaimantId !== ib,
      ),
    ).toBe(true);
  });

  it('erases on every withdrawal, by the claimant or by staff: data, token, receipts and flags on either side', async () => {
    const idOf = async (ref: string) =>
      (await staff(`/cases/${kase.id}/claimants?q=${ref}`).get()).body.items[0].id as string;
    const flagsOf = async (id: string) =>
      ds.query<{ claimant_id: string; matched_claimant_id: string }[]>(
        `SELECT claimant_id, matched_claimant_id FROM claimant_flags WHERE claimant_id = $1 OR matched_claimant_id = $1`,
        [id],
      );
    for (const by of ['claimant', 'staff'] as const) {
      // X and Y share a phone; X came with an Idempotency-Key.
      const shared = intakeBody();
      const x = await submit(shared, `erase-${by}-${Date.now()}`).expect(201);
      const y = await submit({ ...intakeBody(), phone: shared.phone }).expect(201);
      const [ix, iy] = [await idOf(x.body.reference), await idOf(y.body.reference)];
      expect(await flagsOf(ix)).toContainEqual({ claimant_id: iy, matched_claimant_id: ix });
      expect(await ds.query(`SELECT 1 FROM idempotency_keys WHERE claimant_id = $1`, [ix])).toHaveLength(1);
      const session = await request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: x.body.reference, claimantToken: x.body.claimantToken })
        .expect(201);
      if (by === 'claimant') {
        await request(t.http)
          .post('/api/v1/claimant/me/withdraw')
          .set('authorization', `Bearer ${session.body.token}`)
          .expect(200);
      } else {
        await staff(`/cases/${kase.id}/claimants/${ix}/transitions`)
          .post({ to: 'withdrawn', reason: '전화로 철회 요청' })
          .expect(200);
      }
      const row = await ds.query(
        `SELECT status, name_enc, phone_bidx, source_ip_bidx, token_hash, erased_at FROM claimants WHERE id = $1`,
        [ix],
      );
      expect(row[0]).toMatchObject({
        status: 'withdrawn',
        name_enc: null,
        phone_bidx: null,
        source_ip_bidx: null,
        token_hash: null,
        erased_at: expect.any(Date),
      });
      // Nothing left that says what X shared with Y (flags on either side), nor X's receipt.
      expect(await flagsOf(ix)).toEqual([]);
      expect(await ds.query(`SELECT 1 FROM idempotency_keys WHERE claimant_id = $1`, [ix])).toEqual([]);
      // The portal is closed to X: the session and the token.
      await request(t.http).get('/api/v1/claimant/me').set('authorization', `Bearer ${session.body.token}`).expect(401);
      await request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: x.body.reference, claimantToken: x.body.claimantToken })
        .expect(401);
      const audit = await ds.query(`SELECT 1 FROM audit_events WHERE action = 'claimant.erased' AND subject_id = $1`, [
        ix,
      ]);
      expect(audit).toHaveLength(1);
    }
  });

  it('merges only into a record still in the suit', async () => {
    const idOf = async (ref: string) =>
      (await staff(`/cases/${kase.id}/claimants?q=${ref}`).get()).body.items[0].id as string;
    const body = intakeBody();
    const [a, b] = [await submit(body).expect(201), await submit(body).expect(201)];
    const [ia, ib] = [await idOf(a.body.reference), await idOf(b.body.reference)];
    await staff(`/cases/${kase.id}/claimants/${ia}/transitions`)
      .post({ to: 'under_review', reason: '검토' })
      .expect(200);
    await staff(`/cases/${kase.id}/claimants/${ia}/transitions`).post({ to: 'rejected', reason: '허위' }).expect(200);
    const refused = await staff(`/cases/${kase.id}/claimants/${ia}/merge`)
      .post({ absorbedId: ib, reason: '동일인' })
      .expect(409);
    expect(refused.body).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/rejected/) });
    const live = await ds.query(`SELECT name_enc IS NOT NULL AS kept FROM claimants WHERE id = $1`, [ib]);
    expect(live[0].kept).toBe(true);
    // Nor away from an open filing, whose documents are being made from that record.
    const c = await submit(body).expect(201);
    const ic = await idOf(c.body.reference);
    const filingId = randomUUID();
    await ds.query(
      `INSERT INTO filing_plaintiffs (filing_id, claimant_id, number, amount_krw, open) VALUES ($1, $2, 1, 100000, true)`,
      [filingId, ib],
    );
    try {
      const busy = await staff(`/cases/${kase.id}/claimants/${ic}/merge`)
        .post({ absorbedId: ib, reason: '동일인' })
        .expect(409);
      expect(busy.body.code).toBe('ALREADY_IN_OPEN_FILING');
    } finally {
      await ds.query(`UPDATE filing_plaintiffs SET open = false WHERE filing_id = $1`, [filingId]);
    }
    await staff(`/cases/${kase.id}/claimants/${ic}/merge`).post({ absorbedId: ib, reason: '동일인' }).expect(204);
  });

  it('reissues a lost portal token: the old token and its sessions end, audited with the reason', async () => {
    const created = await submit(intakeBody()).expect(201);
    const id = (await staff(`/cases/${kase.id}/claimants?q=${created.body.reference}`).get()).body.items[0].id;
    const open = (claimantToken: string) =>
      request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: created.body.reference, claimantToken });
    const old = await open(created.body.claimantToken).expect(201);
    const res = await staff(`/cases/${kase.id}/claimants/${id}/portal-token`)
      .post({ reason: '본인 확인 후 재발급 (전화)' })
      .expect(201);
    expect(res.body).toEqual({
      reference: created.body.reference,
      claimantToken: expect.stringMatching(/^jsic_[A-Za-z0-9_-]{43}$/),
    });
    expect(res.body.claimantToken).not.toBe(created.body.claimantToken);
    await request(t.http).get('/api/v1/claimant/me').set('authorization', `Bearer ${old.body.token}`).expect(401);
    await open(created.body.claimantToken).expect(401);
    await open(res.body.claimantToken).expect(201);
    const audit = await ds.query(
      `SELECT reason, details FROM audit_events WHERE action = 'claimant.token_reissued' AND subject_id = $1`,
      [id],
    );
    expect(audit).toEqual([{ reason: '본인 확인 후 재발급 (전화)', details: { caseId: kase.id, sessionsEnded: 1 } }]);
    // Another firm cannot, nor can anyone without a reason.
    const otherParalegal = (await createStaff(t, other, 'paralegal')).token;
    await staff(`/cases/${kase.id}/claimants/${id}/portal-token`, otherParalegal).post({ reason: 'x' }).expect(404);
    await staff(`/cases/${kase.id}/claimants/${id}/portal-token`).post({}).expect(400);
    await staff(`/cases/${kase.id}/claimants/${id}/portal-token`, firm.adminToken).post({ reason: 'x' }).expect(403);
  });

  /**
   * Runs `change` in a transaction of the test's own and leaves it open; starts `attempt`, waits
   * until a backend whose statement starts like `waiting` waits for a lock, then commits the change
   * and resolves to what `attempt` gave.
   */
  async function whileChanging<T>(
    change: (tx: QueryRunner) => Promise<void>,
    attempt: () => Promise<T>,
    waiting: string,
  ): Promise<T> {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await change(runner);
      const outcome = attempt();
      await waitFor(
        async () =>
          (
            await ds.query<unknown[]>(
              // (a statement's text is cut at track_activity_query_size: match its start)
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                 AND query LIKE $1`,
              [waiting],
            )
          ).length > 0
            ? true
            : undefined,
        { what: `a statement like ${waiting} to wait for the change` },
      );
      await runner.commitTransaction();
      return await outcome;
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('never flags a newcomer against a claimant erased while their submission was matched', async () => {
    const shared = intakeBody();
    const first = await submit(shared).expect(201);
    const [{ id: erasedId }] = await ds.query<{ id: string }[]>(
      `SELECT id FROM claimants WHERE reference = $1 AND case_id = $2`,
      [first.body.reference, kase.id],
    );
    // An erasure in progress: the row locked and its data gone, not yet committed.
    const newcomer = await whileChanging(
      async (tx) => {
        await tx.query(`SELECT 1 FROM claimants WHERE id = $1 FOR UPDATE`, [erasedId]);
        await tx.query(
          `UPDATE claimants SET phone_bidx = NULL, email_bidx = NULL, name_birth_bidx = NULL, address_bidx = NULL,
                  name_bidx = NULL, erased_at = now(), status = 'withdrawn' WHERE id = $1`,
          [erasedId],
        );
      },
      () => submit({ ...intakeBody(), phone: shared.phone }).then((r) => r),
      '%WITH r AS (%SELECT * FROM unnest(%',
    );
    expect(newcomer.status).toBe(201);
    const naming = await ds.query(`SELECT 1 FROM claimant_flags WHERE matched_claimant_id = $1`, [erasedId]);
    expect(naming).toEqual([]);
  });

  it('opens no session with a token replaced while the request waited for it', async () => {
    const created = await submit(intakeBody()).expect(201);
    // A reissue in progress: the row is locked and its token hash about to change.
    const opening = await whileChanging(
      async (tx) => {
        await tx.query(`SELECT 1 FROM claimants WHERE reference = $1 AND case_id = $2 FOR UPDATE`, [
          created.body.reference,
          kase.id,
        ]);
        await tx.query(`UPDATE claimants SET token_hash = $3 WHERE reference = $1 AND case_id = $2`, [
          created.body.reference,
          kase.id,
          Buffer.alloc(32, 7),
        ]);
      },
      () =>
        request(t.http)
          .post('/api/v1/public/claimant-sessions')
          .send({ reference: created.body.reference, claimantToken: created.body.claimantToken })
          .then((r) => r),
      '%INSERT INTO claimant_sessions%',
    );
    expect(opening.status).toBe(401);
  });

  it('audits a search for a person (kind and count, never the term), not a search by reference', async () => {
    const body = intakeBody();
    const created = await submit(body).expect(201);
    const searches = async () =>
      ds.query<{ details: Record<string, unknown>; actor_id: string }[]>(
        `SELECT details, actor_id FROM audit_events WHERE action = 'claimant.searched' AND subject_id = $1 ORDER BY id`,
        [kase.id],
      );
    const before = (await searches()).length;
    await staff(`/cases/${kase.id}/claimants?q=${created.body.reference}`).get().expect(200);
    expect(await searches()).toHaveLength(before);
    const found = await staff(`/cases/${kase.id}/claimants?q=${encodeURIComponent(String(body.phone))}`)
      .get()
      .expect(200);
    expect(found.body.items.length).toBeGreaterThanOrEqual(1);
    const after = await searches();
    expect(after).toHaveLength(before + 1);
    expect(after[after.length - 1].details).toEqual({ by: 'phone', found: found.body.items.length, page: 'first' });
    expect(JSON.stringify(after.map((e) => e.details))).not.toContain(String(body.phone).slice(-4));
  });

  it('statistics count by status and flag, and submissions per day', async () => {
    const res = await staff(`/cases/${kase.id}/statistics`).get().expect(200);
    expect(res.body.claimants).toBeGreaterThan(5);
    expect(res.body.byStatus.submitted).toBeGreaterThan(0);
    expect(res.body.byFlag.possible_duplicate).toBeGreaterThan(0);
    expect(res.body.submissionsPerDay[0]).toEqual({
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      count: expect.any(Number),
    });
  });

  describe('claimant portal', () => {
    it('session, status in Korean, corrections, withdrawal with erasure', async () => {
      const created = await submit(intakeBody()).expect(201);
      await request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: created.body.reference, claimantToken: 'jsic_wrong' })
        .expect(401);
      const s = await request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: created.body.reference.toLowerCase(), claimantToken: created.body.claimantToken })
        .expect(201);
      const auth: [string, string] = ['authorization', `Bearer ${s.body.token}`];
      const me = await request(t.http)
        .get('/api/v1/claimant/me')
        .set(...auth)
        .expect(200);
      expect(me.body).toMatchObject({ reference: created.body.reference, status: 'submitted', claimAmountKrw: null });
      expect(me.body.history[0].label).toMatch(/접수/);
      // Staff tokens do not open claimant pages and vice versa.
      await request(t.http).get('/api/v1/claimant/me').set('authorization', `Bearer ${paralegal}`).expect(401);
      await request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants`)
        .set(...auth)
        .expect(401);

      await request(t.http)
        .patch('/api/v1/claimant/me')
        .set(...auth)
        .send({ address: { postalCode: '04524', line1: '서울특별시 중구 세종대로 110', line2: '' } })
        .expect(200);
      await request(t.http)
        .patch('/api/v1/claimant/me')
        .set(...auth)
        .send({ phone: '02-123-4567' })
        .expect(400);
      const id = (await staff(`/cases/${kase.id}/claimants?q=${created.body.reference}`).get()).body.items[0].id;
      const detail = await staff(`/cases/${kase.id}/claimants/${id}`).get().expect(200);
      expect(detail.body.address.postalCode).toBe('04524');
      // The audit names the fields the claimant changed, only those.
      const corrected = await ds.query(
        `SELECT details FROM audit_events WHERE action = 'claimant.contact_corrected' AND subject_id = $1`,
        [id],
      );
      expect(corrected.map((e: { details: { fields: string[] } }) => e.details.fields)).toEqual([['address']]);

      // Signing out ends this session only; the claimant token opens a new one.
      await request(t.http)
        .post('/api/v1/claimant/me/logout')
        .set(...auth)
        .expect(204);
      await request(t.http)
        .get('/api/v1/claimant/me')
        .set(...auth)
        .expect(401);
      const again = await request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: created.body.reference, claimantToken: created.body.claimantToken })
        .expect(201);
      auth[1] = `Bearer ${again.body.token}`;
      const w = await request(t.http)
        .post('/api/v1/claimant/me/withdraw')
        .set(...auth)
        .expect(200);
      expect(w.body.status).toBe('withdrawn');
      const row = await ds.query(
        `SELECT name_enc, phone_enc, email_enc, address_enc, phone_bidx, consents, reference FROM claimants WHERE id = $1`,
        [id],
      );
      expect(row[0]).toMatchObject({
        name_enc: null,
        phone_enc: null,
        email_enc: null,
        address_enc: null,
        phone_bidx: null,
      });
      expect(row[0].consents.collectionAndUse.version).toBeDefined();
      // The session and the token die with the data.
      await request(t.http)
        .post('/api/v1/claimant/me/withdraw')
        .set(...auth)
        .expect(401);
      await request(t.http)
        .post('/api/v1/public/claimant-sessions')
        .send({ reference: created.body.reference, claimantToken: created.body.claimantToken })
        .expect(401);
    });
  });
});
