import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  FILE_STORAGE,
  JOB_OPTIONS,
  JobName,
  failsJobAtOnce,
  newDataKey,
  newStorageKey,
  type FileStorage,
} from '@app/platform';
import { UnknownKeyVersionError, Vault } from '@app/security';
import {
  IMPORT_COLUMNS,
  IMPORT_KEY_PURPOSE,
  ImportClaimantsHandler,
  importFileContext,
  sealSegmented,
} from '@app/claimants';
import { createCase, createFirm, createStaff, intakeBody, type TestFirm } from '../helpers/factories';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const HEADER = IMPORT_COLUMNS.join(',');

/** One CSV line; fields with a comma, quote or line break are quoted ("" for a quote). */
function csvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

let phoneSeq = 0;
/** A fresh valid mobile number (010-3xxx-xxxx: every 010-3 prefix is a mobile range) per call. */
function phone(): string {
  const n = (Number.parseInt(randomBytes(3).toString('hex'), 16) + phoneSeq++ * 7919) % 10_000_000;
  const d = String(n).padStart(7, '0');
  return `010-3${d.slice(0, 3)}-${d.slice(3)}`;
}

function row(o: Partial<Record<(typeof IMPORT_COLUMNS)[number], string>> = {}): string[] {
  const tag = randomBytes(3).toString('hex');
  const v = {
    name: '이서연',
    birth_date: '1990-05-17',
    phone: phone(),
    email: `imp-${tag}@example.kr`,
    postal_code: '04524',
    address1: '서울특별시 중구 세종대로 110',
    address2: '',
    exposed_data: 'name;phone',
    notice_received_on: '2025-12-01',
    ...o,
  };
  return IMPORT_COLUMNS.map((c) => v[c]);
}

interface ImportStatusBody {
  status: string;
  rows: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  progress: number;
  errors: { line: number; field: string; message: string }[];
  moreErrors: number;
  failure: string | null;
}

describe('bulk import of claimants from CSV', () => {
  let t: TestApp;
  let ds: DataSource;
  let firm: TestFirm;
  let other: TestFirm;
  let paralegal: string;
  let attorney: string;
  let otherParalegal: string;

  const startMain = () =>
    startTestApp({
      worker: true,
      env: {
        INTAKE_MAX_PER_ADDRESS: '100000',
        VELOCITY_MAX_PER_ADDRESS: '100000',
        IMPORT_BATCH_ROWS: '3',
        IMPORT_MAX_BYTES: '65536',
      },
    });

  beforeAll(async () => {
    t = await startMain();
    ds = t.api.get(DataSource);
    firm = await createFirm(t);
    other = await createFirm(t, 'Other firm');
    attorney = (await createStaff(t, firm, 'attorney')).token;
    paralegal = (await createStaff(t, firm, 'paralegal')).token;
    otherParalegal = (await createStaff(t, other, 'paralegal')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (caseId: string, csv: string | Buffer, token = paralegal, filename = 'claimants.csv') =>
    request(t.http)
      .post(`/api/v1/cases/${caseId}/imports`)
      .set('authorization', `Bearer ${token}`)
      .attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'), {
        filename,
        contentType: 'text/csv',
      });
  const status = async (id: string, token = paralegal): Promise<ImportStatusBody> =>
    (await request(t.http).get(`/api/v1/imports/${id}`).set('authorization', `Bearer ${token}`).expect(200))
      .body as ImportStatusBody;
  const finished = (id: string): Promise<ImportStatusBody> =>
    waitFor(
      async () => {
        const s = await status(id);
        return s.status === 'done' || s.status === 'failed' ? s : undefined;
      },
      { what: `import ${id} to finish`, timeoutMs: 30_000 },
    );

  it('imports good rows, rejects bad ones with line and column, and skips duplicates', async () => {
    const kase = await createCase(t, attorney);
    const existing = intakeBody();
    await request(t.http).post(`/api/v1/public/cases/${kase.slug}/claimants`).send(existing).expect(201);
    const young = new Date(Date.now() - 10 * 365 * 86_400_000).toISOString().slice(0, 10);
    const first = row({ name: '김민수'.normalize('NFD'), address1: '서울특별시 강남구 테헤란로 1, 2층' });
    const lines = [
      HEADER, // 1
      csvLine(first), // 2: NFD Hangul, a quoted comma
      csvLine(row({ name: '박지훈', address2: '101동\n202호', exposed_data: 'name; phone ;email' })), // 3-4
      csvLine(row({ name: '최유진', phone: '02-123-4567' })), // 5
      csvLine(row({ name: '정하늘', birth_date: '1985-02-30' })), // 6
      csvLine(row({ name: '강다온', postal_code: '1234' })), // 7
      csvLine(row({ name: '윤아린', birth_date: young })), // 8
      csvLine(row({ name: '임도윤', phone: first[2] })), // 9: duplicates line 2 (phone)
      csvLine(row({ name: '한지우', email: String(existing.email) })), // 10: duplicates a form claimant
      csvLine(row({ name: '오세린', exposed_data: '', notice_received_on: '', address1: '부산광역시 "센텀" 97' })), // 11
      '서지안,1990-01-01,010-5000-0000', // 12: too few fields
      '',
    ];
    const csv = `\ufeff${lines.join('\n')}`;
    const res = await upload(kase.id, csv).expect(202);
    expect(res.body).toEqual({ id: expect.any(String) });

    const s = await finished(res.body.id);
    expect(s).toMatchObject({
      status: 'done',
      rows: 10,
      inserted: 3,
      duplicates: 2,
      rejected: 5,
      progress: 100,
      moreErrors: 0,
      failure: null,
    });
    expect(s.errors.map((e) => [e.line, e.field])).toEqual([
      [5, 'phone'],
      [6, 'birth_date'],
      [7, 'postal_code'],
      [8, 'birth_date'],
      [12, 'row'],
    ]);
    expect(s.errors[3].message).toMatch(/under 14/);
    expect(JSON.stringify(s)).not.toMatch(/최유진|02-123-4567|정하늘/);

    // Readable at the staff desk, found by exact (NFC) name, phone and email through blind indexes.
    const desk = (q: string) =>
      request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants?q=${encodeURIComponent(q)}`)
        .set('authorization', `Bearer ${paralegal}`)
        .expect(200);
    const byName = await desk('김민수');
    expect(byName.body.items).toHaveLength(1);
    expect(byName.body.items[0]).toMatchObject({ status: 'submitted', name: '김*수' });
    expect((await desk(first[2])).body.items).toHaveLength(1);
    expect((await desk('박지훈')).body.items).toHaveLength(1);
    expect((await desk('오세린')).body.items).toHaveLength(1);
    expect((await desk('임도윤')).body.items).toHaveLength(0);
    const detail = await request(t.http)
      .get(`/api/v1/cases/${kase.id}/claimants/${byName.body.items[0].id}`)
      .set('authorization', `Bearer ${paralegal}`)
      .expect(200);
    expect(JSON.stringify(detail.body)).toContain('서울특별시 강남구 테헤란로 1, 2층');
    const park = await request(t.http)
      .get(`/api/v1/cases/${kase.id}/claimants/${(await desk('박지훈')).body.items[0].id}`)
      .set('authorization', `Bearer ${paralegal}`)
      .expect(200);
    expect(JSON.stringify(park.body)).toContain('101동 202호');
    // One batch is one statement: its claimants share created_at to the microsecond, and the desk
    // still pages through every one of them.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await request(t.http)
        .get(`/api/v1/cases/${kase.id}/claimants?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .set('authorization', `Bearer ${paralegal}`)
        .expect(200);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null && seen.length < 50);
    expect(new Set(seen).size).toBe(4); // the form claimant and the three imported

    // Stored as the form stores them, plus where they came from; nothing in clear.
    const rows = await ds.query(
      `SELECT c.source, c.status, c.consents, c.exposed_data, c.notice_received_on, c.name_enc, c.token_hash,
              h.actor_type, h.reason, h.to_status
         FROM claimants c JOIN claimant_status_history h ON h.claimant_id = c.id
        WHERE c.case_id = $1 AND c.source = 'import' ORDER BY c.created_at`,
      [kase.id],
    );
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r).toMatchObject({
        source: 'import',
        status: 'submitted',
        actor_type: 'system',
        reason: 'imported',
        to_status: 'submitted',
        token_hash: null,
      });
      expect(r.consents).toMatchObject({ source: 'import', importId: res.body.id });
      expect(r.name_enc).toMatch(/^v\d+\./);
    }
    expect(rows.map((r: { exposed_data: string[] }) => r.exposed_data)).toContainEqual(['name', 'phone', 'email']);
    const plain = await ds.query(
      `SELECT count(*)::int AS n FROM claimants c
        WHERE c.case_id = $1 AND (c::text LIKE '%김민수%' OR c::text LIKE '%박지훈%' OR c::text LIKE '%오세린%'
              OR c::text LIKE '%테헤란로%' OR c::text LIKE $2)`,
      [kase.id, `%${first[3]}%`],
    );
    expect(plain[0].n).toBe(0);
    const imp = await ds.query(`SELECT errors::text AS e, file_deleted_at FROM imports WHERE id = $1`, [res.body.id]);
    expect(imp[0].e).not.toMatch(/[가-힣]/);
    expect(imp[0].file_deleted_at).not.toBeNull();
    const audit = await ds.query(`SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id`, [res.body.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['import.requested', 'import.completed']);

    // Importing the same file again inserts nothing: every row is now a duplicate (or rejected).
    const again = await finished((await upload(kase.id, csv).expect(202)).body.id);
    expect(again).toMatchObject({ status: 'done', rows: 10, inserted: 0, duplicates: 5, rejected: 5 });
  });

  it('counts a row repeating an earlier row of the same batch as a duplicate', async () => {
    const kase = await createCase(t, attorney);
    const a = row({ name: '남궁민' });
    const csv = [HEADER, csvLine(a), csvLine(row({ name: '남궁민', birth_date: a[1], email: 'x' + a[3] })), ''];
    const s = await finished((await upload(kase.id, csv.join('\n')).expect(202)).body.id);
    expect(s).toMatchObject({ status: 'done', rows: 2, inserted: 1, duplicates: 1, rejected: 0 });
  });

  it('finds duplicates indexed under the older key while a key rotation runs', async () => {
    const kase = await createCase(t, attorney);
    const existing = intakeBody();
    await request(t.http).post(`/api/v1/public/cases/${kase.slug}/claimants`).send(existing).expect(201);
    // Only the rotating deployment may relay and run the import: the main app's relay would take the
    // outbox row as readily, and its worker lacks the new key the upload is sealed under.
    await t.close();
    const older = process.env.PII_MASTER_KEY!;
    const rotating = await startTestApp({
      worker: true,
      env: {
        PII_MASTER_KEY: `2:${randomBytes(32).toString('base64')},1:${older}`,
        QUEUE_PREFIX: `jsitest-rot-${randomBytes(3).toString('hex')}`,
      },
    });
    try {
      const csv = [HEADER, csvLine(row({ phone: String(existing.phone) })), csvLine(row({ name: '황보결' })), ''].join(
        '\n',
      );
      const res = await request(rotating.http)
        .post(`/api/v1/cases/${kase.id}/imports`)
        .set('authorization', `Bearer ${paralegal}`)
        .attach('file', Buffer.from(csv), { filename: 'c.csv', contentType: 'text/csv' })
        .expect(202);
      const s = await waitFor(
        async () => {
          const r = await request(rotating.http)
            .get(`/api/v1/imports/${res.body.id}`)
            .set('authorization', `Bearer ${paralegal}`)
            .expect(200);
          return r.body.status === 'done' || r.body.status === 'failed' ? (r.body as ImportStatusBody) : undefined;
        },
        { what: 'import under rotation' },
      );
      expect(s).toMatchObject({ status: 'done', rows: 2, inserted: 1, duplicates: 1 });
    } finally {
      await rotating.close();
      t = await startMain();
      ds = t.api.get(DataSource);
    }
  });

  it('stores the upload sealed, never in clear', async () => {
    const kase = await createCase(t, attorney);
    const csv = `${HEADER}\n${csvLine(row({ name: '봉수아' }))}\n`;
    const res = await upload(kase.id, csv).expect(202);
    const meta = await ds.query(`SELECT storage_key, data_key_enc, sha256, bytes FROM imports WHERE id = $1`, [
      res.body.id,
    ]);
    expect(meta[0]).toMatchObject({
      data_key_enc: expect.stringMatching(/^v\d+\./),
      bytes: String(Buffer.byteLength(csv)),
    });
    const storage = t.api.get<FileStorage>(FILE_STORAGE);
    // The job may already have removed it; if it is still there, it must not hold the name.
    if (await storage.exists(meta[0].storage_key)) {
      const chunks: Buffer[] = [];
      for await (const c of storage.get(meta[0].storage_key)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).includes(Buffer.from('봉수아'))).toBe(false);
    }
    expect((await finished(res.body.id)).inserted).toBe(1);
  });

  it.each([
    ['an unclosed quote', `"김철수,1990-01-01,${phone()},x@example.kr,04524,서울,,name,2025-12-01`],
    ['text after a closing quote', `"김철수"x,1990-01-01,${phone()},x@example.kr,04524,서울,,name,2025-12-01`],
    ['a quote inside an unquoted field', `김"철수,1990-01-01,${phone()},x@example.kr,04524,서울,,name,2025-12-01`],
  ])('fails a file with broken quoting (%s) with a clear message, keeping the rows before it', async (_, broken) => {
    const kase = await createCase(t, attorney);
    const csv = [HEADER, csvLine(row({ name: '문가온' })), broken, csvLine(row({ name: '배나래' })), ''].join('\n');
    const s = await finished((await upload(kase.id, csv).expect(202)).body.id);
    expect(s.status).toBe('failed');
    expect(s.failure).toMatch(/not valid CSV from line 3/);
    expect(s.errors).toContainEqual({ line: 3, field: 'file', message: expect.stringMatching(/quote/) });
    expect(s.inserted).toBe(1);
    expect(JSON.stringify(s)).not.toMatch(/김철수/);
    // The worker lives on: the next import is processed.
    const next = await finished((await upload(kase.id, `${HEADER}\n${csvLine(row())}\n`).expect(202)).body.id);
    expect(next).toMatchObject({ status: 'done', inserted: 1 });
  });

  it('fails a file with the wrong header with a clear message', async () => {
    const kase = await createCase(t, attorney);
    const s = await finished((await upload(kase.id, `이름,생년월일,전화\n${csvLine(row())}\n`).expect(202)).body.id);
    expect(s).toMatchObject({ status: 'failed', rows: 0, inserted: 0 });
    expect(s.failure).toMatch(/header/);
    expect(s.failure).toContain(HEADER);
    expect(s.errors[0]).toMatchObject({ line: 1, field: 'header' });
    const headerless = await finished(
      (await upload(kase.id, `${csvLine(row({ name: '도하람' }))}\n`).expect(202)).body.id,
    );
    expect(headerless.status).toBe('failed');
    expect(JSON.stringify(headerless)).not.toContain('도하람');
  });

  it('refuses spreadsheets, other encodings, empty and oversized files at the door', async () => {
    const kase = await createCase(t, attorney);
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(200)]);
    expect((await upload(kase.id, xlsx).expect(415)).body.code).toBe('UNSUPPORTED_FILE_TYPE');
    const cp949 = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from([0xc8, 0xab, 0xb1, 0xe6, 0xb5, 0xbf])]);
    expect((await upload(kase.id, cp949).expect(415)).body.message).toMatch(/UTF-8/);
    expect((await upload(kase.id, Buffer.alloc(0)).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const big = `${HEADER}\n${`${csvLine(row())}\n`.repeat(1000)}`;
    expect((await upload(kase.id, big).expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
    const malformed = (contentType: string, body: string) =>
      request(t.http)
        .post(`/api/v1/cases/${kase.id}/imports`)
        .set('authorization', `Bearer ${paralegal}`)
        .set('content-type', contentType)
        .send(body)
        .expect(400);
    expect((await malformed('multipart/form-data', 'no boundary')).body.code).toBe('BAD_REQUEST');
    const cut = `--B\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n\r\n${HEADER}\n${csvLine(row())}\n`;
    expect((await malformed('multipart/form-data; boundary=B', cut)).body.code).toBe('BAD_REQUEST');
    const left = await ds.query(`SELECT count(*)::int AS n FROM imports WHERE case_id = $1`, [kase.id]);
    expect(left[0].n).toBe(0);
  });

  it('commits nothing for a sender deactivated while the upload streamed (401)', async () => {
    const kase = await createCase(t, attorney);
    const leaver = await createStaff(t, firm, 'paralegal');
    const tmpDir = join(t.config.dataDir, 'files', '.tmp');
    const partsBefore = existsSync(tmpDir) ? readdirSync(tmpDir).length : 0;
    await new Promise<void>((ok) => t.http.listen(0, '127.0.0.1', ok));
    try {
      const { port } = t.http.address() as AddressInfo;
      const boundary = 'leaver-boundary';
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/v1/cases/${kase.id}/imports`,
        headers: {
          authorization: `Bearer ${leaver.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'transfer-encoding': 'chunked',
        },
      });
      const answer = new Promise<{ status: number; body: string }>((ok, fail) => {
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', fail);
      });
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n` +
          `Content-Type: text/csv\r\n\r\n${HEADER}\n${csvLine(row())}\n`,
      );
      // The upload is under way (its sealed part file exists) when the person leaves.
      await waitFor(
        () => Promise.resolve((existsSync(tmpDir) ? readdirSync(tmpDir).length : 0) > partsBefore ? true : undefined),
        {
          what: 'the upload to start',
        },
      );
      await request(t.http)
        .patch(`/api/v1/staff/${leaver.id}`)
        .set('authorization', `Bearer ${firm.adminToken}`)
        .send({ active: false })
        .expect(200);
      req.end(`${csvLine(row())}\n\r\n--${boundary}--\r\n`);
      const res = await answer;
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'UNAUTHORIZED' });
      const made = await ds.query(`SELECT 1 FROM imports WHERE case_id = $1`, [kase.id]);
      expect(made).toEqual([]);
    } finally {
      await new Promise<void>((ok) => t.http.close(() => ok()));
    }
  });

  it('keeps firms apart and checks permissions', async () => {
    const kase = await createCase(t, attorney);
    const csv = `${HEADER}\n${csvLine(row())}\n`;
    await upload(kase.id, csv, otherParalegal).expect(404);
    await upload(kase.id, csv, attorney).expect(403);
    const res = await upload(kase.id, csv).expect(202);
    await request(t.http)
      .get(`/api/v1/imports/${res.body.id}`)
      .set('authorization', `Bearer ${otherParalegal}`)
      .expect(404);
    await request(t.http)
      .get(`/api/v1/imports/${randomUUID()}`)
      .set('authorization', `Bearer ${paralegal}`)
      .expect(404);
    expect((await status(res.body.id, attorney)).status).toMatch(/queued|running|done/);
    const list = await request(t.http)
      .get(`/api/v1/cases/${kase.id}/imports`)
      .set('authorization', `Bearer ${paralegal}`)
      .expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([res.body.id]);
    expect(list.body.nextCursor).toBeNull();
    await finished(res.body.id);
  });

  it('fails a stored upload that does not authenticate, without retrying or reading it', async () => {
    const kase = await createCase(t, attorney);
    const id = randomUUID();
    const storage = t.api.get<FileStorage>(FILE_STORAGE);
    const vault = t.api.get(Vault);
    const storageKey = newStorageKey();
    const key = newDataKey();
    const csv = Buffer.from(`${HEADER}\n${csvLine(row({ name: '변조됨' }))}\n`);
    // Sealed as another import's file: moved or swapped at rest.
    await storage.put(storageKey, Readable.from([csv]).pipe(sealSegmented(key, importFileContext(randomUUID()))));
    await ds.query(
      `INSERT INTO imports (id, firm_id, case_id, created_by, storage_key, data_key_enc, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, firm.firmId, kase.id, firm.adminId, storageKey, vault.wrapKey(IMPORT_KEY_PURPOSE, id, key), csv.length],
    );
    await t
      .worker!.get(ImportClaimantsHandler)
      .handle({ importId: id }, { jobId: id, attempt: 1, updateProgress: () => Promise.resolve() });
    expect(await status(id)).toMatchObject({ status: 'failed', rows: 0, inserted: 0 });
    expect((await status(id)).failure).toMatch(/integrity/);
    expect(await storage.exists(storageKey)).toBe(false);
  });

  it('retries an upload sealed under a key version this worker lacks (a rotation rolling out), failing only at the last attempt', async () => {
    const kase = await createCase(t, attorney);
    const id = randomUUID();
    const storage = t.api.get<FileStorage>(FILE_STORAGE);
    // The API already runs with key version 2; this worker still has only version 1.
    const newer = new Vault([
      { version: 2, key: randomBytes(32) },
      { version: 1, key: Buffer.from(process.env.PII_MASTER_KEY!, 'base64') },
    ]);
    const storageKey = newStorageKey();
    const key = newDataKey();
    const csv = Buffer.from(`${HEADER}\n${csvLine(row({ name: '기다림' }))}\n`);
    await storage.put(storageKey, Readable.from([csv]).pipe(sealSegmented(key, importFileContext(id))));
    await ds.query(
      `INSERT INTO imports (id, firm_id, case_id, created_by, storage_key, data_key_enc, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, firm.firmId, kase.id, firm.adminId, storageKey, newer.wrapKey(IMPORT_KEY_PURPOSE, id, key), csv.length],
    );
    const handler = t.worker!.get(ImportClaimantsHandler);
    const attempt = (n: number) =>
      handler.handle({ importId: id }, { jobId: id, attempt: n, updateProgress: () => Promise.resolve() });
    // Thrown to BullMQ as a transient error (retried with backoff); the import and its file wait.
    const first = await attempt(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(first).toBeInstanceOf(UnknownKeyVersionError);
    expect(failsJobAtOnce(first)).toBe(false);
    expect(await status(id)).toMatchObject({ status: 'running', rows: 0, inserted: 0, failure: null });
    expect(await storage.exists(storageKey)).toBe(true);
    // The last attempt gives up with a message that says what to do.
    await expect(attempt(JOB_OPTIONS[JobName.ImportClaimants].attempts)).rejects.toBeInstanceOf(UnknownKeyVersionError);
    const s = await status(id);
    expect(s).toMatchObject({ status: 'failed', rows: 0, inserted: 0 });
    expect(s.failure).toMatch(/key version 2, which this worker does not have/);
    expect(await storage.exists(storageKey)).toBe(false);
  });

  it('resumes after its last committed batch when retried, never inserting a row twice', async () => {
    const kase = await createCase(t, attorney);
    const names = ['가람', '나래', '다온', '라온', '마루', '바다', '사랑'].map((n) => `권${n}`);
    // Line 6 (the 5th row, in the 2nd batch of 3) trips a trigger the first time.
    const rows = names.map((name, i) => row({ name, notice_received_on: i === 4 ? '2025-12-24' : '2025-12-01' }));
    const csv = Buffer.from(`${HEADER}\n${rows.map(csvLine).join('\n')}\n`);
    const id = randomUUID();
    const storage = t.api.get<FileStorage>(FILE_STORAGE);
    const vault = t.api.get(Vault);
    const storageKey = newStorageKey();
    const key = newDataKey();
    await storage.put(storageKey, Readable.from([csv]).pipe(sealSegmented(key, importFileContext(id))));
    // Written without an outbox row: this test drives the handler itself.
    await ds.query(
      `INSERT INTO imports (id, firm_id, case_id, created_by, storage_key, data_key_enc, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, firm.firmId, kase.id, firm.adminId, storageKey, vault.wrapKey(IMPORT_KEY_PURPOSE, id, key), csv.length],
    );
    const fn = `jsi_test_fail_${randomBytes(4).toString('hex')}`;
    await ds.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.case_id = '${kase.id}' AND NEW.notice_received_on = '2025-12-24' THEN
          RAISE EXCEPTION 'simulated crash';
        END IF;
        RETURN NEW;
      END $$`);
    await ds.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON claimants FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    const handler = t.worker!.get(ImportClaimantsHandler);
    const ctx = (attempt: number) => ({ jobId: id, attempt, updateProgress: () => Promise.resolve() });
    try {
      await expect(handler.handle({ importId: id }, ctx(1))).rejects.toThrow(/simulated crash/);
    } finally {
      await ds.query(`DROP TRIGGER ${fn} ON claimants`);
      await ds.query(`DROP FUNCTION ${fn}()`);
    }
    const mid = await ds.query(`SELECT status, rows, inserted, committed_line FROM imports WHERE id = $1`, [id]);
    expect(mid[0]).toMatchObject({ status: 'running', rows: 3, inserted: 3, committed_line: 4 });

    await handler.handle({ importId: id }, ctx(2));
    const s = await status(id);
    expect(s).toMatchObject({ status: 'done', rows: 7, inserted: 7, duplicates: 0, rejected: 0, progress: 100 });
    const count = await ds.query(`SELECT count(*)::int AS n FROM claimants WHERE case_id = $1`, [kase.id]);
    expect(count[0].n).toBe(7);
    // A third delivery of the finished job is a no-op.
    await handler.handle({ importId: id }, ctx(3));
    expect((await ds.query(`SELECT count(*)::int AS n FROM claimants WHERE case_id = $1`, [kase.id]))[0].n).toBe(7);
  });
});
