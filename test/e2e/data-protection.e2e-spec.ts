import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClaimantKeyRotationService, EVIDENCE_KEY_PURPOSE } from '@app/claimants';
import { Vault } from '@app/security';
import { createCase, createFirm, createStaff, intakeBody, login, type TestFirm } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Distinctive personal data, so a plaintext match anywhere is unmistakable. */
const PERSON = {
  name: '탁무결',
  phoneDigits: '01047398215',
  phone: '010-4739-8215',
  email: 'mugyeol.tak.7391@example.kr',
  line1: '부산광역시 해운대구 센텀중앙로 97',
  line2: '스카이타워 4103호',
  birthDate: '1979-08-23',
};

describe('personal data at rest, in logs, and under rotation', () => {
  let t: TestApp;
  let ds: DataSource;
  let firm: TestFirm;
  let paralegal: { id: string; email: string; token: string };
  let kase: { id: string; slug: string };
  let claimantId: string;
  const logFile = join(mkdtempSync(join(tmpdir(), 'jsi-log-')), 'app.log');

  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'debug', LOG_DESTINATION: logFile, READ_ALARM_THRESHOLD: '4' } });
    ds = t.api.get(DataSource);
    firm = await createFirm(t);
    paralegal = await createStaff(t, firm, 'paralegal');
    kase = await createCase(t, (await createStaff(t, firm, 'attorney')).token);
    const res = await request(t.http)
      .post(`/api/v1/public/cases/${kase.slug}/claimants`)
      .set('idempotency-key', `dp-${randomBytes(4).toString('hex')}`)
      .send(
        intakeBody({
          name: PERSON.name,
          phone: PERSON.phone,
          email: PERSON.email,
          birthDate: PERSON.birthDate,
          address: { postalCode: '48058', line1: PERSON.line1, line2: PERSON.line2 },
          harms: [
            { kind: 'smishing', occurredOn: '2025-12-03', lossKrw: 0, description: `${PERSON.name} 앞 택배 문자` },
          ],
        }),
      )
      .expect(201);
    const list = await request(t.http)
      .get(`/api/v1/cases/${kase.id}/claimants?q=${encodeURIComponent(PERSON.phone)}`)
      .set('authorization', `Bearer ${paralegal.token}`)
      .expect(200);
    claimantId = list.body.items[0].id;
    expect(list.body.items[0].reference).toBe(res.body.reference);
    // A decrypted read and a failed search with personal data in the query string, for the log check.
    await request(t.http)
      .get(`/api/v1/cases/${kase.id}/claimants/${claimantId}`)
      .set('authorization', `Bearer ${paralegal.token}`)
      .expect(200);
    await request(t.http)
      .post(`/api/v1/public/cases/${kase.slug}/claimants`)
      .send(intakeBody({ name: PERSON.name, email: PERSON.email, phone: 'not-a-phone' }))
      .expect(400);
  });
  afterAll(async () => {
    await t.close();
  });

  const plaintexts = [
    PERSON.name,
    PERSON.phoneDigits,
    PERSON.phone,
    '+821047398215',
    PERSON.email,
    PERSON.line1,
    PERSON.line2,
    PERSON.birthDate,
  ];

  it('a pg_dump of the database holds none of the personal data in plaintext', () => {
    const dump = execFileSync('pg_dump', ['--data-only', t.config.databaseUrl!], {
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString('utf8');
    expect(dump).toContain('claimants');
    for (const p of plaintexts) expect(dump.includes(p)).toBe(false);
  });

  it('neither does the application log', () => {
    const log = readFileSync(logFile, 'utf8');
    expect(log.length).toBeGreaterThan(100);
    for (const p of plaintexts) expect(log.includes(p)).toBe(false);
    expect(log).not.toContain(paralegal.token);
  });

  it('ciphertext copied to another row fails to decrypt (409, nothing revealed)', async () => {
    const other = await request(t.http)
      .post(`/api/v1/public/cases/${kase.slug}/claimants`)
      .send(intakeBody())
      .expect(201);
    const otherId = (
      await request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants?q=${other.body.reference}`)
        .set('authorization', `Bearer ${paralegal.token}`)
    ).body.items[0].id;
    await ds.query(`UPDATE claimants SET name_enc = (SELECT name_enc FROM claimants WHERE id = $1) WHERE id = $2`, [
      claimantId,
      otherId,
    ]);
    const res = await request(t.http)
      .get(`/api/v1/cases/${kase.id}/claimants/${otherId}`)
      .set('authorization', `Bearer ${paralegal.token}`)
      .expect(409);
    expect(res.body.code).toBe('INTEGRITY_CHECK_FAILED');
    expect(JSON.stringify(res.body)).not.toContain(PERSON.name);
  });

  it('rotate-keys re-encrypts every row under the new key; search keeps working', async () => {
    const oldKey = t.config.piiKeys[0].key.toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const rotated = await startTestApp({ env: { PII_MASTER_KEY: `2:${newKey},1:${oldKey}` } });
    try {
      const token = await login(rotated, paralegal.email);
      const search = () =>
        request(rotated.http)
          .get(`/api/v1/cases/${kase.id}/claimants?q=${encodeURIComponent(PERSON.email)}`)
          .set('authorization', `Bearer ${token}`)
          .expect(200);
      expect((await search()).body.items.map((i: { id: string }) => i.id)).toContain(claimantId);
      // An evidence row whose file key was wrapped under key version 1.
      const dataKey = randomBytes(32);
      const ev = await ds.query(
        `INSERT INTO evidence (firm_id, case_id, claimant_id, kind, content_type, bytes, sha256, storage_key)
         VALUES ($1, $2, $3, 'other', 'application/pdf', 10, $4, $5) RETURNING id`,
        [firm.firmId, kase.id, claimantId, 'a'.repeat(64), randomBytes(16).toString('hex')],
      );
      const evId = ev[0].id as string;
      await ds.query(`UPDATE evidence SET data_key_enc = $2 WHERE id = $1`, [
        evId,
        t.api.get(Vault).wrapKey(EVIDENCE_KEY_PURPOSE, evId, dataKey),
      ]);
      // A receipt that no longer opens is reported and left alone; the run goes on.
      const damagedKey = `damaged-${randomBytes(4).toString('hex')}`;
      await ds.query(
        `INSERT INTO idempotency_keys (case_id, key, request_hash, status_code, response_enc)
         VALUES ($1, $2, $3, 201, 'v1.AAAA')`,
        [kase.id, damagedKey, randomBytes(32)],
      );
      const result = await rotated.api
        .get(ClaimantKeyRotationService)
        .rotateAll(2, undefined, [{ table: 'evidence', purpose: EVIDENCE_KEY_PURPOSE }]);
      const receipts = result.find((p) => p.table === 'idempotency_keys');
      expect(receipts?.failed).toContain(`${kase.id}:${damagedKey}`);
      const keyed = await ds.query<{ response_enc: string }[]>(
        `SELECT response_enc FROM idempotency_keys WHERE case_id = $1 AND key LIKE 'dp-%'`,
        [kase.id],
      );
      expect(keyed.length).toBeGreaterThan(0);
      for (const k of keyed) expect(k.response_enc).toMatch(/^v2\./);
      const rewrapped = await ds.query(`SELECT data_key_enc FROM evidence WHERE id = $1`, [evId]);
      expect(rewrapped[0].data_key_enc).toMatch(/^v2\./);
      expect(
        rotated.api.get(Vault).unwrapKey(EVIDENCE_KEY_PURPOSE, evId, rewrapped[0].data_key_enc).equals(dataKey),
      ).toBe(true);
      expect(result[0].rotated).toBeGreaterThan(0);
      // The row whose ciphertext was moved in the previous test cannot authenticate: reported, left alone.
      const stale = await ds.query(
        `SELECT id FROM claimants WHERE case_id = $1 AND name_enc IS NOT NULL AND name_enc NOT LIKE 'v2.%'`,
        [kase.id],
      );
      // (other test files share the database and may hold damaged rows of their own cases)
      const failedHere = await ds.query<{ id: string }[]>(
        `SELECT id FROM claimants WHERE case_id = $1 AND id = ANY($2::uuid[])`,
        [kase.id, result[0].failed],
      );
      expect(stale.map((r: { id: string }) => r.id)).toEqual(failedHere.map((r) => r.id));
      expect(failedHere.length).toBeLessThanOrEqual(1);
      expect((await search()).body.items.map((i: { id: string }) => i.id)).toContain(claimantId);
      const detail = await request(rotated.http)
        .get(`/api/v1/cases/${kase.id}/claimants/${claimantId}`)
        .set('authorization', `Bearer ${token}`)
        .expect(200);
      expect(detail.body.name).toBe(PERSON.name);
      // The old key alone can no longer read it.
      await request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants/${claimantId}`)
        .set('authorization', `Bearer ${paralegal.token}`)
        .expect(409);
      // A row held by another transaction (a filing rendering) is skipped, not waited for, and
      // rotated by the next run.
      const late = await request(t.http).post(`/api/v1/public/cases/${kase.slug}/claimants`).send(intakeBody());
      const [{ id: lateId }] = await ds.query<{ id: string }[]>(`SELECT id FROM claimants WHERE reference = $1`, [
        (late.body as { reference: string }).reference,
      ]);
      const keyOf = async (): Promise<string> =>
        (
          await ds.query<{ v: string }[]>(`SELECT split_part(name_enc, '.', 1) AS v FROM claimants WHERE id = $1`, [
            lateId,
          ])
        )[0].v;
      const holder = ds.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query(`SELECT 1 FROM claimants WHERE id = $1 FOR NO KEY UPDATE`, [lateId]);
        const held = await rotated.api.get(ClaimantKeyRotationService).rotateClaimants(500);
        expect(held.skipped).toBeGreaterThanOrEqual(1);
        expect(await keyOf()).toBe('v1');
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect((await rotated.api.get(ClaimantKeyRotationService).rotateClaimants(500)).rotated).toBeGreaterThanOrEqual(
        1,
      );
      expect(await keyOf()).toBe('v2');
    } finally {
      await rotated.close();
    }
  });

  it('the read-volume alarm fires, suspends the reader, and an admin re-enables them', async () => {
    const reader = await createStaff(t, firm, 'paralegal');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await request(t.http)
        .post(`/api/v1/public/cases/${kase.slug}/claimants`)
        .send(intakeBody())
        .expect(201);
      const found = await request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants?q=${c.body.reference}`)
        .set('authorization', `Bearer ${reader.token}`);
      ids.push(found.body.items[0].id);
    }
    for (const id of ids.slice(0, 4)) {
      await request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants/${id}`)
        .set('authorization', `Bearer ${reader.token}`)
        .expect(200);
    }
    const fifth = await request(t.http)
      .get(`/api/v1/cases/${kase.id}/claimants/${ids[4]}`)
      .set('authorization', `Bearer ${reader.token}`)
      .expect(403);
    expect(fifth.body.code).toBe('FORBIDDEN');
    await request(t.http).get('/api/v1/auth/me').set('authorization', `Bearer ${reader.token}`).expect(401);
    const alert = await ds.query(
      `SELECT details FROM audit_events WHERE action = 'security.read_alarm' AND subject_id = $1`,
      [reader.id],
    );
    expect(alert[0].details).toMatchObject({ distinctPeople: 5, threshold: 4, suspended: true });
    await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: reader.email, password: 'long enough test passphrase 42' })
      .expect(401);
    await request(t.http)
      .patch(`/api/v1/staff/${reader.id}`)
      .set('authorization', `Bearer ${firm.adminToken}`)
      .send({ active: true })
      .expect(200);
    await login(t, reader.email);
  });
});
