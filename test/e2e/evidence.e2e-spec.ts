import request from 'supertest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DataSource } from 'typeorm';
import { FILE_STORAGE, createRedisClient, type LocalFileStorage } from '@app/platform';
import { createCase, createFirm, createStaff, intakeBody, type TestFirm } from '../helpers/factories';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const MARKER = `EVIDENCE-PLAINTEXT-${randomBytes(6).toString('hex')}`;

function crc32(data: Buffer): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
/** A real 1x1 PNG with a tEXt chunk holding the marker. */
const PNG = Buffer.concat([
  PNG_1X1.subarray(0, 33),
  pngChunk('tEXt', Buffer.from(`Comment\u0000${MARKER}`, 'latin1')),
  PNG_1X1.subarray(33),
]);
const JPEG_1X1 = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);
/** A real 1x1 JPEG with a comment segment (after SOI) holding the marker. */
const JPEG = Buffer.concat([
  JPEG_1X1.subarray(0, 2),
  Buffer.from([0xff, 0xfe, 0x00, MARKER.length + 2]),
  Buffer.from(MARKER, 'latin1'),
  JPEG_1X1.subarray(2),
]);
function pdf(text: string): Buffer {
  const content = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  return Buffer.from(
    [
      '%PDF-1.4',
      '1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj',
      '2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj',
      '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R>> endobj',
      `4 0 obj <</Length ${content.length}>> stream`,
      content,
      'endstream endobj',
      'trailer <</Root 1 0 R>>',
      '%%EOF',
      '',
    ].join('\n'),
    'latin1',
  );
}
const PDF = pdf(MARKER);
const PHP = Buffer.from('<?php system($_GET["cmd"]); ?>\n');

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

interface Claimant {
  id: string;
  reference: string;
  session: string;
}

describe('evidence: upload, encryption at rest, review, download', () => {
  let t: TestApp;
  let small: TestApp;
  let ds: DataSource;
  let firm: TestFirm;
  let other: TestFirm;
  let paralegal: { id: string; token: string };
  let otherParalegal: string;
  let kase: { id: string; slug: string };

  const env = (name: string): Record<string, string> => ({
    DATA_DIR: join(process.env.DATA_DIR ?? '.data/test', `evidence-${name}-${randomBytes(4).toString('hex')}`),
    // Own Redis key space: the many intakes and sessions here must not fill other files' rate-limit buckets.
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'jsitest'}-evidence`,
    INTAKE_MAX_PER_ADDRESS: '100000',
    VELOCITY_MAX_PER_ADDRESS: '100000',
    PORTAL_MAX_PER_ADDRESS: '100000',
  });

  beforeAll(async () => {
    t = await startTestApp({ env: env('main') });
    small = await startTestApp({
      env: {
        ...env('small'),
        EVIDENCE_MAX_BYTES: '1024',
        EVIDENCE_MAX_FILES_PER_CLAIMANT: '2',
        EVIDENCE_MAX_BYTES_PER_CLAIMANT: '1500',
      },
    });
    ds = t.api.get(DataSource);
    firm = await createFirm(t);
    other = await createFirm(t, 'Other firm');
    const attorney = await createStaff(t, firm, 'attorney');
    paralegal = await createStaff(t, firm, 'paralegal');
    otherParalegal = (await createStaff(t, other, 'paralegal')).token;
    kase = await createCase(t, attorney.token);
  });
  afterAll(async () => {
    await small?.close();
    await t?.close();
  });

  const filesDir = (app: TestApp): string => join(app.config.dataDir, 'files');

  async function newClaimant(app: TestApp = t): Promise<Claimant> {
    const created = await request(app.http)
      .post(`/api/v1/public/cases/${kase.slug}/claimants`)
      .send(intakeBody())
      .expect(201);
    const { reference, claimantToken } = created.body as { reference: string; claimantToken: string };
    const session = await request(app.http)
      .post('/api/v1/public/claimant-sessions')
      .send({ reference, claimantToken })
      .expect(201);
    const rows = await ds.query<{ id: string }[]>(`SELECT id FROM claimants WHERE reference = $1`, [reference]);
    return { id: rows[0].id, reference, session: (session.body as { token: string }).token };
  }

  function upload(
    c: Claimant,
    file: Buffer | undefined,
    opts: { kind?: string; filename?: string; contentType?: string; kindAfterFile?: boolean; app?: TestApp } = {},
  ): request.Test {
    let r = request((opts.app ?? t).http)
      .post('/api/v1/claimant/me/evidence')
      .set('authorization', `Bearer ${c.session}`);
    const kind = opts.kind ?? 'breach_notice';
    if (!opts.kindAfterFile) r = r.field('kind', kind);
    if (file) {
      r = r.attach('file', file, {
        filename: opts.filename ?? 'notice.bin',
        contentType: opts.contentType ?? 'application/octet-stream',
      });
    }
    if (opts.kindAfterFile) r = r.field('kind', kind);
    return r;
  }

  const staff = (token: string) => ({
    review: (id: string, body: object) =>
      request(t.http).post(`/api/v1/evidence/${id}/review`).set('authorization', `Bearer ${token}`).send(body),
    content: (id: string, reason?: string) => {
      const r = request(t.http)
        .get(`/api/v1/evidence/${id}/content`)
        .set('authorization', `Bearer ${token}`)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      return reason === undefined ? r : r.set('x-access-reason', reason);
    },
  });

  async function evidenceRows(claimantId: string): Promise<Record<string, unknown>[]> {
    return ds.query(`SELECT * FROM evidence WHERE claimant_id = $1 ORDER BY created_at`, [claimantId]);
  }

  async function storedPath(app: TestApp, evidenceId: string): Promise<string> {
    const rows = await ds.query<{ storage_key: string }[]>(`SELECT storage_key FROM evidence WHERE id = $1`, [
      evidenceId,
    ]);
    return app.api.get<LocalFileStorage>(FILE_STORAGE).pathOf(rows[0].storage_key);
  }

  async function uploaded(c: Claimant, file: Buffer, kind = 'breach_notice'): Promise<string> {
    const res = await upload(c, file, { kind }).expect(201);
    return (res.body as { id: string }).id;
  }

  describe('upload', () => {
    it.each([
      ['PNG', PNG, 'image/png', 'breach_notice'],
      ['JPEG', JPEG, 'image/jpeg', 'account_proof'],
      ['PDF', PDF, 'application/pdf', 'secondary_harm'],
    ])('takes a %s, hashes it and stores it encrypted', async (_name, file, contentType, kind) => {
      const c = await newClaimant();
      const res = await upload(c, file, { kind, filename: 'my scan (1).bin' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kind,
        sha256: sha256(file),
        bytes: file.length,
        status: 'pending',
      });
      const id = (res.body as { id: string }).id;

      const [row] = await evidenceRows(c.id);
      expect(row).toMatchObject({ id, kind, content_type: contentType, sha256: sha256(file), status: 'pending' });
      expect(row.data_key_enc).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      expect(row.storage_key).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(row)).not.toContain(MARKER);
      expect(JSON.stringify(row)).not.toContain('my scan');

      const path = await storedPath(t, id);
      expect(relative(filesDir(t), path)).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}$/);
      const stored = readFileSync(path);
      expect(stored.length).toBe(file.length + 32);
      expect(stored.includes(Buffer.from(MARKER, 'latin1'))).toBe(false);
      expect(stored.includes(file.subarray(0, 8))).toBe(false);

      const me = await request(t.http)
        .get('/api/v1/claimant/me')
        .set('authorization', `Bearer ${c.session}`)
        .expect(200);
      expect(me.body.evidence).toEqual([
        expect.objectContaining({ id, kind, sha256: sha256(file), bytes: file.length, status: 'pending' }),
      ]);

      const audit = await ds.query(
        `SELECT actor_type, actor_id, details FROM audit_events WHERE action = $1 AND subject_id = $2`,
        ['evidence.uploaded', id],
      );
      expect(audit).toEqual([
        { actor_type: 'claimant', actor_id: c.id, details: expect.objectContaining({ claimantId: c.id, kind }) },
      ]);
    });

    it('takes the kind after the file too', async () => {
      const c = await newClaimant();
      await upload(c, PDF, { kind: 'other', kindAfterFile: true }).expect(201);
    });

    it('refuses a PHP script named x.png and declared image/png (415), storing nothing', async () => {
      const c = await newClaimant();
      const before = filesUnder(filesDir(t));
      const res = await upload(c, PHP, { filename: 'x.png', contentType: 'image/png' }).expect(415);
      expect(res.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_FILE_TYPE' });
      const empty = await upload(c, Buffer.alloc(0), { filename: 'x.pdf', contentType: 'application/pdf' });
      expect(empty.status).toBe(415);
      expect(filesUnder(filesDir(t))).toEqual(before);
      expect(await evidenceRows(c.id)).toEqual([]);
    });

    it('refuses a malformed multipart body (no boundary, cut short) with 400, storing nothing', async () => {
      const c = await newClaimant();
      const before = filesUnder(filesDir(t));
      const post = (contentType: string, body: string | Buffer) =>
        request(t.http)
          .post('/api/v1/claimant/me/evidence')
          .set('authorization', `Bearer ${c.session}`)
          .set('content-type', contentType)
          .send(body);
      const noBoundary = await post('multipart/form-data', 'whatever');
      const cut = await post(
        'multipart/form-data; boundary=XyZ',
        Buffer.concat([
          Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="kind"\r\n\r\nbreach_notice\r\n'),
          Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'),
          Buffer.from('Content-Type: image/png\r\n\r\n'),
          PNG,
        ]),
      );
      for (const res of [noBoundary, cut]) {
        expect([res.status, res.body.code]).toEqual([400, 'BAD_REQUEST']);
      }
      expect(filesUnder(filesDir(t))).toEqual(before);
      expect(await evidenceRows(c.id)).toEqual([]);
    });

    it('refuses an unknown kind (400) before or after the file, storing nothing', async () => {
      const c = await newClaimant();
      const before = filesUnder(filesDir(t));
      for (const kindAfterFile of [false, true]) {
        const res = await upload(c, PDF, { kind: 'selfie', kindAfterFile }).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.details).toEqual([expect.objectContaining({ field: 'kind' })]);
      }
      expect(filesUnder(filesDir(t))).toEqual(before);
      expect(await evidenceRows(c.id)).toEqual([]);
    });

    it('answers malformed uploads with 4xx', async () => {
      const c = await newClaimant();
      const noFile = await upload(c, undefined).expect(400);
      expect(noFile.body.details).toEqual([expect.objectContaining({ field: 'file' })]);
      const noKind = await request(t.http)
        .post('/api/v1/claimant/me/evidence')
        .set('authorization', `Bearer ${c.session}`)
        .attach('file', PDF, 'a.pdf')
        .expect(400);
      expect(noKind.body.details).toEqual([expect.objectContaining({ field: 'kind' })]);
      await upload(c, PDF).field('extra', 'x').expect(400);
      const json = await request(t.http)
        .post('/api/v1/claimant/me/evidence')
        .set('authorization', `Bearer ${c.session}`)
        .send({ kind: 'other' })
        .expect(415);
      expect(json.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      await request(t.http).post('/api/v1/claimant/me/evidence').attach('file', PDF, 'a.pdf').expect(401);
      await request(t.http)
        .post('/api/v1/claimant/me/evidence')
        .set('authorization', `Bearer ${paralegal.token}`)
        .field('kind', 'other')
        .attach('file', PDF, 'a.pdf')
        .expect(401);
      expect(await evidenceRows(c.id)).toEqual([]);
    });

    it('refuses a file over EVIDENCE_MAX_BYTES (413), storing nothing', async () => {
      const c = await newClaimant(small);
      const before = filesUnder(filesDir(small));
      const big = Buffer.concat([PDF, Buffer.alloc(5000, 0x20)]);
      const res = await upload(c, big, { app: small }).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
      const justOver = Buffer.concat([PDF, Buffer.alloc(1025 - PDF.length, 0x20)]);
      await upload(c, justOver, { app: small }).expect(413);
      // The refused upload's part file is removed as its stream closes, which can be a moment after
      // the 413 went out; nothing may remain once it has.
      const left = await waitFor(
        () => {
          const now = filesUnder(filesDir(small));
          return Promise.resolve(now.length === before.length ? now : undefined);
        },
        { timeoutMs: 5000, what: 'the refused uploads to leave nothing behind' },
      );
      expect(left).toEqual(before);
      expect(await evidenceRows(c.id)).toEqual([]);
      const exact = Buffer.concat([PDF, Buffer.alloc(1024 - PDF.length, 0x20)]);
      const ok = await upload(c, exact, { app: small }).expect(201);
      expect(ok.body.bytes).toBe(1024);
    });

    it('enforces the per-claimant quotas (422), storing nothing', async () => {
      const c = await newClaimant(small);
      await upload(c, PNG, { app: small }).expect(201);
      await upload(c, JPEG, { app: small }).expect(201);
      const before = filesUnder(filesDir(small));
      const res = await upload(c, PDF, { app: small }).expect(422);
      expect(res.body.code).toBe('QUOTA_EXCEEDED');
      expect(filesUnder(filesDir(small))).toEqual(before);

      const d = await newClaimant(small);
      const half = Buffer.concat([PDF, Buffer.alloc(1000 - PDF.length, 0x20)]);
      await upload(d, half, { app: small }).expect(201);
      const before2 = filesUnder(filesDir(small));
      const over = await upload(d, half, { app: small }).expect(422);
      expect(over.body.code).toBe('QUOTA_EXCEEDED');
      expect(filesUnder(filesDir(small))).toEqual(before2);
      expect(await evidenceRows(d.id)).toHaveLength(1);
    });

    it('deletes the files on withdrawal; the session ends with it, so no upload follows (401)', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PDF);
      const path = await storedPath(t, id);
      expect(existsSync(path)).toBe(true);
      await request(t.http)
        .post('/api/v1/claimant/me/withdraw')
        .set('authorization', `Bearer ${c.session}`)
        .expect(200);
      expect(existsSync(path)).toBe(false);
      const [row] = await evidenceRows(c.id);
      expect(row.deleted_at).not.toBeNull();
      expect(row.data_key_enc).toBeNull();
      const res = await upload(c, PDF).expect(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
      expect(await evidenceRows(c.id)).toHaveLength(1);
      await staff(paralegal.token).content(id, 'check').expect(404);
      await staff(paralegal.token).review(id, { decision: 'accepted', reason: 'x' }).expect(404);
    });
  });

  describe('staff review', () => {
    it('accepts with a reason and a proven loss, audited', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PDF, 'secondary_harm');
      const res = await staff(paralegal.token)
        .review(id, { decision: 'accepted', reason: '스미싱 피해 입증 자료 확인', lossKrw: 120_000 })
        .expect(200);
      expect(res.body).toMatchObject({
        id,
        kind: 'secondary_harm',
        status: 'accepted',
        reviewReason: '스미싱 피해 입증 자료 확인',
        lossKrw: 120_000,
        reviewedBy: paralegal.id,
        reviewedAt: expect.any(String),
      });
      const [row] = await evidenceRows(c.id);
      expect(row).toMatchObject({ status: 'accepted', loss_krw: '120000', reviewed_by: paralegal.id });
      const audit = await ds.query(
        `SELECT actor_id, reason, details FROM audit_events WHERE action = $1 AND subject_id = $2`,
        ['evidence.reviewed', id],
      );
      expect(audit).toEqual([
        {
          actor_id: paralegal.id,
          reason: '스미싱 피해 입증 자료 확인',
          details: expect.objectContaining({ from: 'pending', to: 'accepted', lossKrw: 120_000 }),
        },
      ]);
      const me = await request(t.http)
        .get('/api/v1/claimant/me')
        .set('authorization', `Bearer ${c.session}`)
        .expect(200);
      expect(me.body.evidence[0].status).toBe('accepted');
    });

    it('rejects with a reason (loss 0), and validates the body', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PNG);
      const s = staff(paralegal.token);
      await s.review(id, { decision: 'rejected', reason: '식별 불가', lossKrw: 5000 }).expect(400);
      await s.review(id, { decision: 'rejected' }).expect(400);
      await s.review(id, { decision: 'maybe', reason: 'x' }).expect(400);
      await s.review(id, { decision: 'accepted', reason: 'x', lossKrw: -1 }).expect(400);
      await s.review(id, { decision: 'accepted', reason: 'x', extra: 1 }).expect(400);
      const res = await s.review(id, { decision: 'rejected', reason: '식별 불가' }).expect(200);
      expect(res.body).toMatchObject({ status: 'rejected', lossKrw: 0 });
    });

    it("keeps one claimant's proven losses within 10^12 won together (422), so claims stay exact", async () => {
      const c = await newClaimant();
      const [a, b] = [await uploaded(c, PNG), await uploaded(c, JPEG)];
      const s = staff(paralegal.token);
      await s.review(a, { decision: 'accepted', reason: '피해 확인', lossKrw: 900_000_000_000 }).expect(200);
      const over = await s
        .review(b, { decision: 'accepted', reason: '피해 확인', lossKrw: 100_000_000_001 })
        .expect(422);
      expect(over.body).toMatchObject({ code: 'UNPROCESSABLE', details: [{ field: 'lossKrw' }] });
      await s.review(b, { decision: 'accepted', reason: '피해 확인', lossKrw: 100_000_000_000 }).expect(200);
      // Re-reviewing a file replaces its own loss, it does not add to it.
      await s.review(a, { decision: 'accepted', reason: '재검토', lossKrw: 900_000_000_000 }).expect(200);

      // Two reviews of one claimant's files at once take turns: one passes, the other is refused.
      const d = await newClaimant();
      const [x, y] = [await uploaded(d, PNG), await uploaded(d, JPEG)];
      const both = await Promise.all([
        s.review(x, { decision: 'accepted', reason: '동시', lossKrw: 600_000_000_000 }),
        s.review(y, { decision: 'accepted', reason: '동시', lossKrw: 600_000_000_000 }),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 422]);

      // Nor can a merge add two such records together.
      const merge = await request(t.http)
        .post(`/api/v1/cases/${kase.id}/claimants/${c.id}/merge`)
        .set('authorization', `Bearer ${paralegal.token}`)
        .send({ absorbedId: d.id, reason: '동일인' })
        .expect(422);
      expect(merge.body.code).toBe('UNPROCESSABLE');
    });

    it('is scoped to the firm (404) and needs the permission (403)', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PNG);
      await staff(otherParalegal).review(id, { decision: 'accepted', reason: 'x' }).expect(404);
      await staff(paralegal.token).review(randomUUID(), { decision: 'accepted', reason: 'x' }).expect(404);
      await staff(firm.adminToken).review(id, { decision: 'accepted', reason: 'x' }).expect(403);
      const [row] = await evidenceRows(c.id);
      expect(row.status).toBe('pending');
    });
  });

  describe('download', () => {
    it('returns the identical bytes with safe headers, audited with the reason and counted', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PDF, 'account_proof');
      const reason = '소장 첨부 전 확인';
      const res = await staff(paralegal.token).content(id, encodeURIComponent(reason)).expect(200);
      expect(Buffer.isBuffer(res.body)).toBe(true);
      expect((res.body as Buffer).equals(PDF)).toBe(true);
      const fileName = `evidence-${c.reference}-${id.slice(0, 8)}.pdf`;
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="${fileName}"; filename*=UTF-8''${fileName}`,
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');

      const png = await staff(paralegal.token)
        .content(await uploaded(c, PNG), 'review')
        .expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect((png.body as Buffer).equals(PNG)).toBe(true);
      expect(png.headers['content-disposition']).toMatch(/filename="evidence-CP-[A-Z0-9-]+-[0-9a-f]{8}\.png"/);

      const audit = await ds.query(
        `SELECT actor_id, reason, details FROM audit_events WHERE action = $1 AND subject_id = $2`,
        ['evidence.downloaded', id],
      );
      expect(audit).toEqual([
        { actor_id: paralegal.id, reason, details: expect.objectContaining({ claimantId: c.id, bytes: PDF.length }) },
      ]);
      const redis = createRedisClient(t.config.redisUrl, 'evidence-e2e');
      try {
        const score = await redis.zscore(`${t.config.queuePrefix}:read-alarm:${paralegal.id}`, c.id);
        expect(score).not.toBeNull();
      } finally {
        redis.disconnect();
      }
    });

    it('streams a multi-megabyte file in and out unchanged (above the JSON body limit)', async () => {
      const c = await newClaimant();
      const big = Buffer.concat([PDF, randomBytes(3 * 1024 * 1024)]);
      const res = await upload(c, big, { kind: 'other' }).expect(201);
      expect(res.body).toMatchObject({ sha256: sha256(big), bytes: big.length });
      const stored = readFileSync(await storedPath(t, res.body.id));
      expect(stored.length).toBe(big.length + 32);
      const down = await staff(paralegal.token).content(res.body.id, 'size check').expect(200);
      expect(sha256(down.body as Buffer)).toBe(sha256(big));
    });

    it('requires a reason (400 ACCESS_REASON_REQUIRED), at most 500 characters', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, JPEG);
      const none = await staff(paralegal.token).content(id).expect(400);
      expect(JSON.parse((none.body as Buffer).toString())).toMatchObject({ code: 'ACCESS_REASON_REQUIRED' });
      const blank = await staff(paralegal.token).content(id, '   ').expect(400);
      expect(JSON.parse((blank.body as Buffer).toString())).toMatchObject({ code: 'ACCESS_REASON_REQUIRED' });
      await staff(paralegal.token).content(id, 'x'.repeat(501)).expect(400);
      // A control character (here a NUL, percent-encoded) is refused before anything is read.
      // A right-to-left override (U+202E) would make the trail read other than it was written.
      await staff(paralegal.token).content(id, 'why%E2%80%AEnot').expect(400);
      const nul = await staff(paralegal.token).content(id, 'why%00not').expect(400);
      expect(JSON.parse((nul.body as Buffer).toString())).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'X-Access-Reason', message: expect.stringMatching(/control characters/) }],
      });
      await staff(paralegal.token).content(id, 'x'.repeat(500)).expect(200);
      const audits = await ds.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND subject_id = $2`,
        ['evidence.downloaded', id],
      );
      expect(audits[0].n).toBe(1);
    });

    it('is scoped to the firm (404) and needs the permission (403)', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, JPEG);
      await staff(otherParalegal).content(id, 'curious').expect(404);
      await staff(paralegal.token).content(randomUUID(), 'curious').expect(404);
      await staff(firm.adminToken).content(id, 'curious').expect(403);
      await request(t.http).get(`/api/v1/evidence/${id}/content`).set('x-access-reason', 'x').expect(401);
    });

    it('refuses a tampered or swapped stored file with 409 INTEGRITY_CHECK_FAILED, audited', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PDF);
      const path = await storedPath(t, id);
      const sealed = readFileSync(path);
      const flipped = Buffer.from(sealed);
      flipped[40] ^= 0x01;
      writeFileSync(path, flipped);
      const res = await staff(paralegal.token).content(id, 'check').expect(409);
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(JSON.parse((res.body as Buffer).toString())).toMatchObject({
        statusCode: 409,
        code: 'INTEGRITY_CHECK_FAILED',
      });

      // Another evidence row's (valid) object copied over this one does not decrypt either.
      const otherId = await uploaded(c, PDF);
      writeFileSync(path, readFileSync(await storedPath(t, otherId)));
      await staff(paralegal.token).content(id, 'check').expect(409);
      writeFileSync(path, sealed.subarray(0, sealed.length - 1));
      await staff(paralegal.token).content(id, 'check').expect(409);

      writeFileSync(path, sealed);
      const restored = await staff(paralegal.token).content(id, 'check').expect(200);
      expect((restored.body as Buffer).equals(PDF)).toBe(true);

      const events = await ds.query(
        `SELECT action, retention FROM audit_events WHERE subject_id = $1 AND action LIKE 'evidence.%' ORDER BY id`,
        [id],
      );
      expect(events.map((e: { action: string }) => e.action)).toEqual([
        'evidence.uploaded',
        'evidence.integrity_failed',
        'evidence.integrity_failed',
        'evidence.integrity_failed',
        'evidence.downloaded',
      ]);
    });

    it('refuses a missing stored file with 409 too', async () => {
      const c = await newClaimant();
      const id = await uploaded(c, PNG);
      await t.api
        .get<LocalFileStorage>(FILE_STORAGE)
        .delete((await ds.query(`SELECT storage_key FROM evidence WHERE id = $1`, [id]))[0].storage_key);
      await staff(paralegal.token).content(id, 'check').expect(409);
    });
  });
});
