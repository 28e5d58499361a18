import request from 'supertest';
import ExcelJS from 'exceljs';
import IORedis from 'ioredis';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource, type QueryRunner } from 'typeorm';
import type { INestApplicationContext } from '@nestjs/common';
import { FILE_STORAGE, workerNodeArgs, type FileStorage } from '@app/platform';
import { Vault } from '@app/security';
import { claimResultJoinSql, computeCourtFees, currentClaimGeneration } from '@app/claims';
import { FilingDocumentStore, FilingRenderHandler, formatWon } from '@app/filings';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { seedApprovedClaimants, storeClaimAmounts } from '../bench/filing-seed';
import { createCase, createFirm, createStaff, intakeBody, type TestFirm } from '../helpers/factories';
import { startTestApp, testConfig, waitFor, type TestApp } from '../helpers/test-app';

interface DocumentView {
  id: string;
  kind: string;
  volume: number;
  volumes: number;
  fileName: string;
  contentType: string;
  pages: number | null;
  bytes: number;
  sha256: string;
}

interface FilingBody {
  id: string;
  label: string;
  status: string;
  progress: number;
  failure?: string;
  totals: { plaintiffs: number; claimValueKrw: number; division: string; stampDutyKrw: number; serviceFeeKrw: number };
  documents: DocumentView[];
}

interface Manifest {
  documents: { kind: string; volume: number; pages: number | null; bytes: number; sha256: string }[];
}

/** Own BullMQ prefix: no other test file's worker takes these jobs (keys removed in afterAll). */
const QUEUE_PREFIX = `${process.env.QUEUE_PREFIX ?? 'jsitest'}-fl`;

async function deleteQueueKeys(prefix: string): Promise<void> {
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
const ENV = {
  QUEUE_PREFIX,
  INTAKE_MAX_PER_ADDRESS: '100000',
  VELOCITY_MAX_PER_ADDRESS: '100000',
  FILING_VOLUME_MAX_ROWS: '5',
  QUEUE_LOCK_DURATION_MS: '4000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  API_LOCK_TIMEOUT_MS: '3000',
};
const NAMES = [
  '김민준',
  '이서연',
  '박도윤',
  '최지우',
  '정하준',
  '강서윤',
  '조은우',
  '윤지민',
  '장시우',
  '임수아',
  '한예준',
  '오채원',
];
const REASON = '1차 소장 제출 준비';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

function tool(name: string, args: string[]): string {
  return execFileSync(name, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe('filing batches', () => {
  let t: TestApp;
  let ds: DataSource;
  let firm: TestFirm;
  let other: TestFirm;
  let paralegal: string;
  let otherParalegal: string;
  let kase: { id: string; slug: string };
  let claimantIds: string[];
  let amounts: number[];
  let tmp: string;

  const api = (token = paralegal) => ({
    get: (path: string) => request(t.http).get(`/api/v1${path}`).set('authorization', `Bearer ${token}`),
    post: (path: string, body: object) =>
      request(t.http).post(`/api/v1${path}`).set('authorization', `Bearer ${token}`).send(body),
  });

  const waitStatus = (id: string, statuses: string[], timeoutMs = 60_000): Promise<FilingBody> =>
    waitFor(
      async () => {
        const res = await api().get(`/filings/${id}`).expect(200);
        const body = res.body as FilingBody;
        return statuses.includes(body.status) ? body : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `filing ${id} to be ${statuses.join('|')}` },
    );

  const download = (filingId: string, docId: string, token = paralegal, reason: string | null = REASON) => {
    const r = request(t.http)
      .get(`/api/v1/filings/${filingId}/documents/${docId}`)
      .set('authorization', `Bearer ${token}`);
    return (reason === null ? r : r.set('x-access-reason', encodeURIComponent(reason))).buffer(true).parse(binary);
  };

  /** Public intake, then under_review -> approved through the API. */
  async function approvedClaimants(names: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const res = await request(t.http)
        .post(`/api/v1/public/cases/${kase.slug}/claimants`)
        .send(intakeBody({ name }))
        .expect(201);
      const rows = await ds.query<{ id: string }[]>(`SELECT id FROM claimants WHERE case_id = $1 AND reference = $2`, [
        kase.id,
        (res.body as { reference: string }).reference,
      ]);
      const id = rows[0].id;
      for (const to of ['under_review', 'approved']) {
        await api().post(`/cases/${kase.id}/claimants/${id}/transitions`, { to, reason: '서류 확인 완료' }).expect(200);
      }
      ids.push(id);
    }
    return ids;
  }

  /**
   * Gives `target` the name ciphertext of `source` (it no longer authenticates: its render fails);
   * resolves to the repair (key rotation tests share this database and report rows that fail to decrypt).
   */
  async function damageName(target: string, source: string): Promise<() => Promise<void>> {
    const [{ name_enc: original }] = await ds.query<{ name_enc: string }[]>(
      `SELECT name_enc FROM claimants WHERE id = $1`,
      [target],
    );
    await ds.query(`UPDATE claimants SET name_enc = (SELECT name_enc FROM claimants WHERE id = $2) WHERE id = $1`, [
      target,
      source,
    ]);
    return async () => {
      await ds.query(`UPDATE claimants SET name_enc = $2 WHERE id = $1`, [target, original]);
    };
  }

  /** As the claims recompute would: the stored claim amount. */
  async function setAmounts(ids: string[], amount: (i: number) => number): Promise<void> {
    const owners = await ds.query<{ firm_id: string; case_id: string }[]>(
      `SELECT DISTINCT firm_id, case_id FROM claimants WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(owners).toHaveLength(1);
    await storeClaimAmounts(
      ds,
      { firmId: owners[0].firm_id, caseId: owners[0].case_id },
      ids,
      ids.map((_, i) => amount(i)),
    );
  }

  /** The claims recompute job (POST /cases/:caseId/claims/recompute) gives every approved claimant an amount. */
  async function recomputeClaims(ids: string[]): Promise<number[]> {
    const res = await api().post(`/cases/${kase.id}/claims/recompute`, {}).expect(202);
    await waitFor(
      async () => {
        const r = await api()
          .get(`/claims/recomputes/${(res.body as { id: string }).id}`)
          .expect(200);
        const status = (r.body as { status: string }).status;
        if (status === 'failed') throw new Error('claims recompute failed');
        return status === 'done' ? status : undefined;
      },
      { timeoutMs: 30_000, what: 'the claims recompute' },
    );
    const rows = await ds.query<{ id: string; amount: string | null }[]>(
      `SELECT c.id, k.amount_krw::text AS amount FROM claimants c
         ${claimResultJoinSql(await currentClaimGeneration(ds, kase.id), 'c', 'k')}
        WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r.amount === null ? NaN : Number(r.amount)]));
    return ids.map((id) => byId.get(id)!);
  }

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: ENV });
    ds = t.api.get(DataSource);
    mkdirSync(t.config.dataDir, { recursive: true });
    tmp = mkdtempSync(join(t.config.dataDir, 'filing-e2e-'));
    firm = await createFirm(t, '법무법인 한빛');
    other = await createFirm(t, 'Other firm');
    const attorney = await createStaff(t, firm, 'attorney');
    paralegal = (await createStaff(t, firm, 'paralegal')).token;
    otherParalegal = (await createStaff(t, other, 'paralegal')).token;
    kase = await createCase(t, attorney.token, {
      settings: {
        interestStartDate: '2025-11-29',
        caseEvidence: ['쿠팡 개인정보 유출 사고 공지문', '개인정보보호위원회 보도자료'],
      },
    });
    await request(t.http)
      .patch('/api/v1/firm')
      .set('authorization', `Bearer ${firm.adminToken}`)
      .send({
        name: '법무법인 한빛',
        address: '서울특별시 서초구 서초대로 100, 5층',
        phone: '02-555-1234',
        attorneys: ['김변호', '이변호'],
      })
      .expect(200);
    claimantIds = await approvedClaimants(NAMES);
    amounts = await recomputeClaims(claimantIds);
    // accepted evidence for plaintiffs 2 and 5, a rejected one for plaintiff 3
    const evidence = [
      [claimantIds[1], 'breach_notice', 'accepted'],
      [claimantIds[1], 'secondary_harm', 'accepted'],
      [claimantIds[4], 'account_proof', 'accepted'],
      [claimantIds[2], 'other', 'rejected'],
    ];
    for (const [claimant, kind, status] of evidence) {
      await ds.query(
        `INSERT INTO evidence (firm_id, case_id, claimant_id, kind, content_type, bytes, sha256, storage_key, status)
         VALUES ($1, $2, $3, $4, 'image/png', 100, $5, $6, $7)`,
        [firm.firmId, kase.id, claimant, kind, sha256(Buffer.from(randomUUID())), randomUUID(), status],
      );
    }
  });
  afterAll(async () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    await t?.close();
    await deleteQueueKeys(QUEUE_PREFIX);
  });

  describe('a filing of 12 approved claimants', () => {
    let filing: FilingBody;
    const files = new Map<string, Buffer>();
    const total = (): number => amounts.reduce((a, b) => a + b, 0);

    beforeAll(async () => {
      const res = await api()
        .post(`/cases/${kase.id}/filings`, { label: '1차', selection: { status: 'approved' }, eFiling: true })
        .expect(202);
      expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
      filing = await waitStatus((res.body as { id: string }).id, ['ready', 'failed']);
      for (const d of filing.documents) {
        const got = await download(filing.id, d.id).expect(200);
        files.set(d.id, got.body as Buffer);
      }
    });

    it('is ready with the totals of the fee engine over the recomputed amounts', () => {
      expect(filing.status).toBe('ready');
      expect(filing.progress).toBe(100);
      expect(amounts.every((a) => Number.isSafeInteger(a) && a > 0)).toBe(true);
      const fees = computeCourtFees({ claimValueKrw: total(), plaintiffs: 12, defendants: 1, eFiling: true });
      expect(filing.totals).toEqual({ plaintiffs: 12, ...fees });
      expect(filing.totals.division).toBe('small');
    });

    it('has one document per kind and volume (annexes split at 5 rows)', () => {
      const kinds = filing.documents.map((d) => `${d.kind}:${d.volume}/${d.volumes}`);
      expect(kinds).toEqual([
        'complaint:1/1',
        'plaintiff-list:1/3',
        'plaintiff-list:2/3',
        'plaintiff-list:3/3',
        'claim-table:1/3',
        'claim-table:2/3',
        'claim-table:3/3',
        'evidence-list:1/3',
        'evidence-list:2/3',
        'evidence-list:3/3',
        'party-list-xlsx:1/1',
        'party-list-csv:1/1',
        'manifest:1/1',
      ]);
      expect(filing.documents[0].fileName).toBe('소장_1차.pdf');
      expect(filing.documents[1].fileName).toBe('원고목록_1차_1-3.pdf');
    });

    it('serves each document with its type, a Korean file name (RFC 5987), nosniff and no-store', async () => {
      const complaint = filing.documents[0];
      const res = await download(filing.id, complaint.id).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="complaint.pdf"; filename*=UTF-8''${encodeURIComponent('소장_1차.pdf')}`,
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      const types = Object.fromEntries(filing.documents.map((d) => [d.kind, d.contentType]));
      expect(types).toMatchObject({
        'party-list-xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'party-list-csv': 'text/csv; charset=utf-8',
        manifest: 'application/json',
      });
      const csv = filing.documents.find((d) => d.kind === 'party-list-csv')!;
      const csvRes = await download(filing.id, csv.id).expect(200);
      expect(csvRes.headers['content-type']).toBe('text/csv; charset=utf-8');
    });

    it('matches the manifest: every hash, size and page count', () => {
      const manifestDoc = filing.documents.find((d) => d.kind === 'manifest')!;
      const manifest = JSON.parse(files.get(manifestDoc.id)!.toString('utf8')) as Manifest;
      expect(sha256(files.get(manifestDoc.id)!)).toBe(manifestDoc.sha256);
      const others = filing.documents.filter((d) => d.kind !== 'manifest');
      expect(manifest.documents).toHaveLength(others.length);
      for (const d of others) {
        const body = files.get(d.id)!;
        const entry = manifest.documents.find((m) => m.kind === d.kind && m.volume === d.volume)!;
        expect(entry).toMatchObject({ bytes: body.length, sha256: sha256(body), pages: d.pages });
        expect(d.sha256).toBe(sha256(body));
      }
    });

    it('renders A4 PDFs with the Hangul font embedded and names, court and stamp duty as text', () => {
      const text: Record<string, string> = {};
      for (const d of filing.documents.filter((x) => x.contentType === 'application/pdf')) {
        const path = join(tmp, `${d.kind}-${d.volume}.pdf`);
        writeFileSync(path, files.get(d.id)!);
        const info = tool('pdfinfo', [path]);
        expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
        expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(d.pages);
        const fonts = tool('pdffonts', [path]).split('\n').slice(2).filter(Boolean);
        expect(fonts.length).toBeGreaterThan(0);
        for (const line of fonts) {
          expect(line).toMatch(/NanumGothic/);
          expect(line).toMatch(/yes\s+yes\s+yes/); // emb sub uni
        }
        text[`${d.kind}:${d.volume}`] = tool('pdftotext', ['-layout', path, '-']).replace(/[ \t]+/g, ' ');
      }
      const complaint = text['complaint:1'];
      expect(complaint).toContain('소 장');
      expect(complaint).toContain('서울중앙지방법원 귀중');
      expect(complaint).toContain(`인지액 ${formatWon(filing.totals.stampDutyKrw)}`); // e-filing: 9/10
      expect(complaint).toContain(`소송목적의 값 ${formatWon(total())}`);
      expect(complaint).toContain('법무법인 한빛');
      expect(complaint).toContain('담당변호사 김변호, 이변호');
      expect(complaint).toContain('쿠팡 주식회사');
      expect(complaint).toContain('2025. 11. 29.부터');
      expect(complaint).toContain('갑 제1호증');
      const lists = [1, 2, 3].map((v) => text[`plaintiff-list:${v}`]).join('\n');
      NAMES.forEach((name, i) => expect(lists).toContain(`${i + 1} ${name}`));
      expect(text['plaintiff-list:2']).toContain('별지 원고 목록 (2/3)');
      expect(text['claim-table:3']).toContain(`합계 (원고 12명) ${formatWon(total())}`);
      const evidence = [1, 2, 3].map((v) => text[`evidence-list:${v}`]).join('\n');
      expect(evidence).toContain('갑 제2호증');
      expect(evidence).toContain('원고 2번 이서연');
      expect(evidence).toMatch(/갑 제3호증의 2 2차 피해 증빙 \(\d{4}-\d{2}-\d{2}\)/);
      expect(evidence).toContain('원고 5번 정하준');
      expect(evidence).toContain('갑 제4호증의 1');
      expect(evidence).not.toContain('원고 3번'); // plaintiff 3's only evidence was rejected
    });

    it('writes the party list as XLSX (one row per plaintiff) and CSV with a BOM', async () => {
      const xlsxDoc = filing.documents.find((d) => d.kind === 'party-list-xlsx')!;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(files.get(xlsxDoc.id)! as unknown as ArrayBuffer);
      const sheet = wb.worksheets[0];
      expect(sheet.rowCount).toBe(13);
      expect(sheet.getRow(1).values).toEqual([undefined, '번호', '성명', '우편번호', '주소', '청구금액']);
      NAMES.forEach((name, i) => {
        const row = sheet.getRow(i + 2);
        expect(row.getCell(1).value).toBe(i + 1);
        expect(row.getCell(2).value).toBe(name);
        expect(row.getCell(5).value).toBe(amounts[i]);
      });
      const csvDoc = filing.documents.find((d) => d.kind === 'party-list-csv')!;
      const csv = files.get(csvDoc.id)!;
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = csv.toString('utf8').slice(1).trimEnd().split('\r\n');
      expect(lines).toHaveLength(13);
      expect(lines[1]).toMatch(new RegExp(`^1,김민준,06236,서울특별시 강남구 테헤란로 \\d+ \\d+층,${amounts[0]}$`));
    });

    it('moves every plaintiff to filed, once, with history and audit events, and keeps the chain intact', async () => {
      const rows = await ds.query<{ status: string; n: number }[]>(
        `SELECT c.status, count(h.id)::int AS n FROM claimants c
           LEFT JOIN claimant_status_history h ON h.claimant_id = c.id AND h.to_status = 'filed'
          WHERE c.id = ANY($1::uuid[]) GROUP BY c.id, c.status`,
        [claimantIds],
      );
      expect(rows).toHaveLength(12);
      expect(rows.every((r) => r.status === 'filed' && r.n === 1)).toBe(true);
      const events = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'claimant.status_changed'
            AND subject_id = ANY($1::text[]) AND details->>'to' = 'filed'`,
        [claimantIds],
      );
      expect(events[0].n).toBe(12);
      const verify = await request(t.http)
        .get('/api/v1/audit/verify')
        .set('authorization', `Bearer ${firm.adminToken}`)
        .expect(200);
      expect(verify.body).toMatchObject({ ok: true });
    });

    it('audits each download with its reason', async () => {
      const rows = await ds.query<{ reason: string; n: number }[]>(
        `SELECT reason, count(*)::int AS n FROM audit_events
          WHERE action = 'filing.document_downloaded' AND details->>'filingId' = $1 GROUP BY reason`,
        [filing.id],
      );
      expect(rows).toEqual([{ reason: REASON, n: expect.any(Number) }]);
      expect(rows[0].n).toBeGreaterThanOrEqual(filing.documents.length);
    });

    it('lists the case filings', async () => {
      const res = await api().get(`/cases/${kase.id}/filings`).expect(200);
      expect((res.body as { items: { id: string }[] }).items.map((i) => i.id)).toContain(filing.id);
    });

    it('refuses the same claimants again (409) and an empty status selection (422)', async () => {
      const again = await api()
        .post(`/cases/${kase.id}/filings`, { label: '2차', selection: { claimantIds }, eFiling: true })
        .expect(409);
      expect(again.body.code).toBe('ALREADY_IN_OPEN_FILING');
      const none = await api()
        .post(`/cases/${kase.id}/filings`, { label: '2차', selection: { status: 'approved' }, eFiling: true })
        .expect(422);
      expect(none.body.code).toBe('UNPROCESSABLE');
    });

    it('requires an access reason (400) and hides another firm’s filing (404)', async () => {
      const doc = filing.documents[0];
      const res = await download(filing.id, doc.id, paralegal, null).expect(400);
      expect(JSON.parse((res.body as Buffer).toString('utf8'))).toMatchObject({ code: 'ACCESS_REASON_REQUIRED' });
      await api(otherParalegal).get(`/filings/${filing.id}`).expect(404);
      await download(filing.id, doc.id, otherParalegal).expect(404);
      await api(otherParalegal).get(`/cases/${kase.id}/filings`).expect(404);
      // an admin may not download (no filing.download permission)
      await download(filing.id, doc.id, firm.adminToken).expect(403);
    });
  });

  describe('document storage', () => {
    /** Files under DATA_DIR whose bytes contain `text` (UTF-8). */
    const filesContaining = (text: string): string[] => {
      const needle = Buffer.from(text, 'utf8');
      return (readdirSync(t.config.dataDir, { recursive: true }) as string[])
        .map((name) => join(t.config.dataDir, name))
        .filter((path) => {
          try {
            return statSync(path).isFile() && readFileSync(path).includes(needle);
          } catch {
            return false; // renamed or removed meanwhile
          }
        });
    };
    const storedFiles = (): number =>
      (readdirSync(join(t.config.dataDir, 'files'), { recursive: true }) as string[]).filter((n) =>
        statSync(join(t.config.dataDir, 'files', n)).isFile(),
      ).length;
    const largestPartFile = (): number =>
      Math.max(
        0,
        ...(readdirSync(t.config.dataDir, { recursive: true }) as string[])
          .filter((n) => n.endsWith('.part'))
          .map((n) => {
            try {
              return statSync(join(t.config.dataDir, n)).size;
            } catch {
              return 0;
            }
          }),
      );
    let filingId: string;

    beforeAll(async () => {
      const ids = await approvedClaimants(['표가은']);
      await setAmounts(ids, () => 300_000);
      const res = await api()
        .post(`/cases/${kase.id}/filings`, { label: '저장', selection: { claimantIds: ids }, eFiling: false })
        .expect(202);
      filingId = (res.body as { id: string }).id;
      expect((await waitStatus(filingId, ['ready', 'failed'])).status).toBe('ready');
    });

    it('streams a document sealed into storage: its plaintext is never on disk, and it reads back intact', async () => {
      const secret = `평문표지-${randomUUID()}`;
      const chunk = Buffer.from(`${secret},서울특별시 강남구\n`.repeat(4000), 'utf8');
      let onDiskWhileWriting: string[] | undefined;
      const store = t.worker!.get(FilingDocumentStore);
      const doc = await store.write(
        { filingId, label: '저장', kind: 'party-list-csv', volume: 2, volumes: 2 },
        async (out) => {
          await new Promise<void>((done, fail) => out.write(chunk, (err) => (err ? fail(err) : done())));
          // the bytes are on their way to disk now: wait until a file that big is being written
          await waitFor(() => Promise.resolve(largestPartFile() >= chunk.length ? true : undefined), {
            timeoutMs: 10_000,
            intervalMs: 5,
            what: 'the document to be written to disk',
          });
          onDiskWhileWriting = filesContaining(secret);
          await new Promise<void>((done) => out.end(done));
          return { rows: 4000 };
        },
      );
      expect(onDiskWhileWriting).toEqual([]);
      expect(filesContaining(secret)).toEqual([]);
      expect(doc).toMatchObject({ bytes: chunk.length, sha256: createHash('sha256').update(chunk).digest('hex') });
      const body = (await api().get(`/filings/${filingId}`).expect(200)).body as FilingBody;
      const stored = body.documents.find((d) => d.kind === 'party-list-csv' && d.volume === 2)!;
      const res = await download(filingId, stored.id).expect(200);
      expect((res.body as Buffer).equals(chunk)).toBe(true);
    });

    it('removes plaintext temporary files left by older versions', async () => {
      const dir = join(t.config.dataDir, 'tmp');
      mkdirSync(dir, { recursive: true });
      const stale = join(dir, `filing-${randomUUID()}-plaintiff-list-1-abcd.part`);
      const other = join(dir, 'unrelated.txt');
      writeFileSync(stale, '홍길동,서울');
      writeFileSync(other, 'x');
      expect(await t.worker!.get(FilingDocumentStore).removeLegacyTemp()).toBe(1);
      expect(readdirSync(dir)).toEqual(['unrelated.txt']);
      rmSync(other);
    });

    it('deletes a document whose renderer fails after ending its output', async () => {
      const before = storedFiles();
      await expect(
        t
          .worker!.get(FilingDocumentStore)
          .write({ filingId, label: '저장', kind: 'claim-table', volume: 9, volumes: 9 }, async (out) => {
            await new Promise<void>((done) => out.end(Buffer.from('1,홍길동,300000\n'), done));
            throw new Error('expected 2 rows, rendered 1');
          }),
      ).rejects.toThrow('expected 2 rows');
      expect(storedFiles()).toBe(before);
    });

    it('a render that fails leaves nothing stored and no plaintext behind', async () => {
      const secret = `평문표지-${randomUUID()}`;
      const before = storedFiles();
      const store = t.worker!.get(FilingDocumentStore);
      await expect(
        store.write({ filingId, label: '저장', kind: 'plaintiff-list', volume: 9, volumes: 9 }, async (out) => {
          await new Promise<void>((done, fail) =>
            out.write(Buffer.from(secret.repeat(5000), 'utf8'), (err) => (err ? fail(err) : done())),
          );
          throw new Error('renderer broke');
        }),
      ).rejects.toThrow('renderer broke');
      expect(storedFiles()).toBe(before);
      expect(filesContaining(secret)).toEqual([]);
      const rows = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM filing_documents WHERE filing_id = $1 AND kind = 'plaintiff-list' AND volume = 9`,
        [filingId],
      );
      expect(rows[0].n).toBe(0);
    });
  });

  describe('refusals and a failed render', () => {
    it('refuses a selection whose claims add up beyond exact integers (422), freezing nothing', async () => {
      const ids = await approvedClaimants(['한도초과', '한도넘침']);
      await setAmounts(ids, () => 5_000_000_000_000_000); // two of them: 10^16 won, past 2^53
      const res = await api()
        .post(`/cases/${kase.id}/filings`, { label: '과대', selection: { claimantIds: ids }, eFiling: false })
        .expect(422);
      expect(res.body.code).toBe('UNPROCESSABLE');
      const frozen = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM filing_plaintiffs WHERE claimant_id = ANY($1::uuid[]) AND open`,
        [ids],
      );
      expect(frozen[0].n).toBe(0);
      await setAmounts(ids, () => 300_000);
    });

    it('refuses claimants without a claim amount, not approved, or an empty list', async () => {
      const [noAmount] = await approvedClaimants(['서지호']);
      const res = await api()
        .post(`/cases/${kase.id}/filings`, { label: '3차', selection: { claimantIds: [noAmount] }, eFiling: false })
        .expect(409);
      expect(res.body.code).toBe('CLAIM_AMOUNT_MISSING');
      expect(res.body.message).toMatch(/recompute/);
      const byStatus = await api()
        .post(`/cases/${kase.id}/filings`, { label: '3차', selection: { status: 'approved' }, eFiling: false })
        .expect(409);
      expect(byStatus.body.code).toBe('CLAIM_AMOUNT_MISSING');
      await setAmounts([noAmount], () => 300_000);
      const submitted = await request(t.http)
        .post(`/api/v1/public/cases/${kase.slug}/claimants`)
        .send(intakeBody({ name: '문하린' }))
        .expect(201);
      const [{ id: submittedId }] = await ds.query<{ id: string }[]>(`SELECT id FROM claimants WHERE reference = $1`, [
        (submitted.body as { reference: string }).reference,
      ]);
      const notApproved = await api()
        .post(`/cases/${kase.id}/filings`, { label: '3차', selection: { claimantIds: [submittedId] }, eFiling: false })
        .expect(409);
      expect(notApproved.body.code).toBe('INVALID_TRANSITION');
      const empty = await api()
        .post(`/cases/${kase.id}/filings`, { label: '3차', selection: { claimantIds: [] }, eFiling: false })
        .expect(422);
      expect(empty.body.code).toBe('UNPROCESSABLE');
      await api().post(`/cases/${kase.id}/filings`, { label: '3차', selection: {}, eFiling: false }).expect(400);
      // leave nobody approved behind for the next test
      await api()
        .post(`/cases/${kase.id}/claimants/${noAmount}/transitions`, { to: 'withdrawn', reason: '철회' })
        .expect(200);
    });

    it('fails on a damaged row, records why, frees the plaintiffs and leaves claimants approved', async () => {
      const ids = await approvedClaimants(['배지환', '송하은', '노건우']);
      await setAmounts(ids, () => 300_000);
      // a name ciphertext moved from another row no longer authenticates
      const repair = await damageName(ids[1], ids[0]);
      const res = await api()
        .post(`/cases/${kase.id}/filings`, { label: '4차', selection: { claimantIds: ids }, eFiling: false })
        .expect(202);
      const failed = await waitStatus((res.body as { id: string }).id, ['failed', 'ready']);
      expect(failed.status).toBe('failed');
      expect(failed.failure).toMatch(/INTEGRITY_CHECK_FAILED/);
      const states = await ds.query<{ status: string }[]>(`SELECT status FROM claimants WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      expect(states.map((s) => s.status)).toEqual(['approved', 'approved', 'approved']);
      const open = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM filing_plaintiffs WHERE filing_id = $1 AND open`,
        [failed.id],
      );
      expect(open[0].n).toBe(0);
      // once repaired, the same claimants can be filed again
      await repair();
      const again = await api()
        .post(`/cases/${kase.id}/filings`, { label: '4차', selection: { claimantIds: ids }, eFiling: false })
        .expect(202);
      expect((await waitStatus((again.body as { id: string }).id, ['failed', 'ready'])).status).toBe('ready');
    });

    it('fails a filing whose job died for good outside the handler (stalled limit): the final-failure hook', async () => {
      const ids = await approvedClaimants(['하도윤', '문서아']);
      await setAmounts(ids, () => 300_000);
      const res = await api()
        .post(`/cases/${kase.id}/filings`, { label: '5차', selection: { claimantIds: ids }, eFiling: false })
        .expect(202);
      const id = (res.body as { id: string }).id;
      const ready = await waitStatus(id, ['ready', 'failed']);
      expect(ready.documents.length).toBeGreaterThan(0);
      const stored = await ds.query<{ storage_key: string }[]>(
        `SELECT storage_key FROM filing_documents WHERE filing_id = $1`,
        [id],
      );
      // As if a worker had died mid-render more often than BullMQ allows.
      await ds.query(`UPDATE filings SET status = 'rendering' WHERE id = $1`, [id]);
      // A filing that is not ready lists no documents and serves none.
      expect(((await api().get(`/filings/${id}`).expect(200)).body as FilingBody).documents).toEqual([]);
      const early = await download(id, ready.documents[0].id).expect(409);
      expect(JSON.parse((early.body as Buffer).toString())).toMatchObject({ code: 'CONFLICT' });
      await t
        .worker!.get(FilingRenderHandler)
        .onFinalFailure({ filingId: id }, 'job stalled more than allowable limit');
      const failed = await waitStatus(id, ['failed']);
      expect(failed.failure).toMatch(/stalled/);
      // A failed filing keeps no documents: rows and stored files are gone.
      expect(failed.documents).toEqual([]);
      expect(await ds.query(`SELECT 1 FROM filing_documents WHERE filing_id = $1`, [id])).toEqual([]);
      const storage = t.worker!.get<FileStorage>(FILE_STORAGE);
      for (const { storage_key } of stored) expect(await storage.exists(storage_key)).toBe(false);
      const open = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM filing_plaintiffs WHERE filing_id = $1 AND open`,
        [id],
      );
      expect(open[0].n).toBe(0);
    });
  });

  describe('plaintiffs while the documents render', () => {
    /**
     * A backend of this database whose current (or last) statement matches `like`, in `state`, or
     * waiting for a lock held by `blockedBy`; resolves to its pid.
     */
    const backend = (like: string, opts: { state?: string; blockedBy?: number }): Promise<number> =>
      waitFor(
        async () => {
          const rows = await ds.query<{ pid: number }[]>(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE $1
                AND ($2::text IS NULL OR state = $2)
                AND ($3::int IS NULL OR $3 = ANY(pg_blocking_pids(pid)))`,
            [like, opts.state ?? null, opts.blockedBy ?? null],
          );
          return rows[0]?.pid;
        },
        { what: `a backend running ${like}` },
      );

    /** Runs `fn` with a transaction of the test's own (and its pid) open; rolled back unless `fn` commits. */
    async function holding<T>(fn: (tx: QueryRunner, pid: number) => Promise<T>): Promise<T> {
      const tx = ds.createQueryRunner();
      await tx.connect();
      try {
        const [{ pid }] = await tx.manager.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
        await tx.startTransaction();
        return await fn(tx, pid);
      } finally {
        if (tx.isTransactionActive) await tx.rollbackTransaction();
        await tx.release();
      }
    }

    const fileThem = async (label: string, ids: string[]): Promise<string> =>
      (
        (
          await api()
            .post(`/cases/${kase.id}/filings`, { label, selection: { claimantIds: ids }, eFiling: false })
            .expect(202)
        ).body as { id: string }
      ).id;
    const statuses = async (ids: string[]): Promise<string[]> =>
      (
        await ds.query<{ id: string; status: string }[]>(
          `SELECT id, status FROM claimants WHERE id = ANY($1::uuid[])`,
          [ids],
        )
      )
        .sort((x, y) => ids.indexOf(x.id) - ids.indexOf(y.id))
        .map((r) => r.status);
    const withdraw = (id: string) =>
      api()
        .post(`/cases/${kase.id}/claimants/${id}/transitions`, { to: 'withdrawn', reason: '원고 철회 요청' })
        .then((r) => r);
    const TRANSITION_LOCK = '%FROM claimants WHERE firm_id = $1 AND case_id = $2 AND id = $3 FOR UPDATE%';

    it('moves them to filed while rendering; a withdrawal meanwhile waits for the filing, then is refused', async () => {
      const ids = await approvedClaimants(['권태양', '남궁민']);
      await setAmounts(ids, () => 300_000);
      // Holds back every document's INSERT, so the render cannot finish until released.
      const id = await holding(async (hold, holdPid) => {
        await hold.query(`LOCK TABLE filing_documents IN SHARE MODE`);
        const filingId = await fileThem('6차', ids);
        // the move has run (its transaction open, uncommitted) while the first document waits
        const mover = await backend('%, moved AS (%', { state: 'idle in transaction' });
        await backend('INSERT INTO filing_documents%', { blockedBy: holdPid });
        expect(await statuses(ids)).toEqual(['approved', 'approved']);
        const refused = withdraw(ids[0]);
        await backend(TRANSITION_LOCK, { blockedBy: mover });
        await hold.commitTransaction();
        const answer = await refused;
        expect(answer.status).toBe(409);
        expect((answer.body as { code: string }).code).toBe('INVALID_TRANSITION');
        return filingId;
      });
      expect((await waitStatus(id, ['ready', 'failed'])).status).toBe('ready');
      expect(await statuses(ids)).toEqual(['filed', 'filed']);
    });

    it('a request that would wait longer than API_LOCK_TIMEOUT_MS gets 409 RECORD_BUSY with Retry-After', async () => {
      const ids = await approvedClaimants(['원하람']);
      await setAmounts(ids, () => 300_000);
      const id = await holding(async (hold, holdPid) => {
        await hold.query(`LOCK TABLE filing_documents IN SHARE MODE`);
        const filingId = await fileThem('6-1차', ids);
        await backend('%, moved AS (%', { state: 'idle in transaction' });
        await backend('INSERT INTO filing_documents%', { blockedBy: holdPid });
        const busy = await withdraw(ids[0]);
        expect(busy.status).toBe(409);
        expect(busy.body).toMatchObject({ statusCode: 409, code: 'RECORD_BUSY' });
        expect(busy.headers['retry-after']).toBe('30');
        await hold.commitTransaction();
        return filingId;
      });
      expect((await waitStatus(id, ['ready', 'failed'])).status).toBe('ready');
      expect(await statuses(ids)).toEqual(['filed']);
    });

    it('fails the filing, plaintiffs untouched, when one was withdrawn before the move could take them', async () => {
      const ids = await approvedClaimants(['황보윤', '제갈민']);
      await setAmounts(ids, () => 300_000);
      // A withdrawal in progress holds the claimant's row: the move waits for it.
      const id = await holding(async (withdrawing, pid) => {
        await withdrawing.query(`SELECT 1 FROM claimants WHERE id = $1 FOR NO KEY UPDATE`, [ids[1]]);
        const filingId = await fileThem('7차', ids);
        await backend('%, moved AS (%', { blockedBy: pid });
        await withdrawing.query(`UPDATE claimants SET status = 'withdrawn' WHERE id = $1`, [ids[1]]);
        await withdrawing.commitTransaction();
        return filingId;
      });
      const failed = await waitStatus(id, ['ready', 'failed']);
      expect(failed.status).toBe('failed');
      expect(failed.failure).toMatch(/^CONFLICT: 1 plaintiffs are no longer approved/);
      expect(await statuses(ids)).toEqual(['approved', 'withdrawn']);
      const history = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM claimant_status_history WHERE claimant_id = ANY($1::uuid[]) AND to_status = 'filed'`,
        [ids],
      );
      expect(history[0].n).toBe(0);
      const open = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM filing_plaintiffs WHERE filing_id = $1 AND open`,
        [id],
      );
      expect(open[0].n).toBe(0);
    });

    it('a render failing while the move waits for a lock cancels the move: failed at once, nothing held', async () => {
      const ids = await approvedClaimants(['선우진', '독고현']);
      await setAmounts(ids, () => 300_000);
      // a damaged row makes the render fail; a held row makes the move wait meanwhile
      const repair = await damageName(ids[0], ids[1]);
      await holding(async (holder, pid) => {
        await holder.query(`SELECT 1 FROM claimants WHERE id = $1 FOR NO KEY UPDATE`, [ids[1]]);
        const failed = await waitStatus(await fileThem('8차', ids), ['ready', 'failed']);
        expect(failed.failure).toMatch(/INTEGRITY_CHECK_FAILED/);
        // the worker's move is gone (cancelled, rolled back): nobody waits for the held row
        const waiting = await ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND $1 = ANY(pg_blocking_pids(pid))`,
          [pid],
        );
        expect(waiting[0].n).toBe(0);
      });
      expect(await statuses(ids)).toEqual(['approved', 'approved']);
      await repair();
    });
  });

  it('claimants and filings are never deleted or truncated (plaintiff rows rely on it, without keys)', async () => {
    for (const sql of [
      `DELETE FROM claimants WHERE id = '${claimantIds[0]}'`,
      `DELETE FROM filings WHERE false`,
      `TRUNCATE claimants CASCADE`,
      `TRUNCATE filings CASCADE`,
    ]) {
      // in a transaction rolled back either way: were the guard missing, nothing would be lost
      const tx = ds.createQueryRunner();
      await tx.startTransaction();
      try {
        await expect(tx.query(sql)).rejects.toMatchObject({
          code: '23001',
          message: expect.stringMatching(/never deleted/),
        });
      } finally {
        await tx.rollbackTransaction();
        await tx.release();
      }
    }
    const [{ n }] = await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM claimants WHERE id = $1`, [
      claimantIds[0],
    ]);
    expect(n).toBe(1);
  });

  it('pages the case filings newest first with a keyset cursor, and refuses a forged cursor or limit', async () => {
    type Page = { items: { id: string; createdAt: string }[]; nextCursor: string | null };
    // three filings created within one millisecond (PostgreSQL keeps microseconds; a JS Date does not)
    await ds.query(
      `UPDATE filings f SET created_at = timestamptz '2026-11-30 10:00:00.123' + (r.n * interval '100 microseconds')
         FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM filings
                WHERE case_id = $1 ORDER BY created_at, id LIMIT 3) r
        WHERE f.id = r.id`,
      [kase.id],
    );
    const all = (await api().get(`/cases/${kase.id}/filings?limit=200`).expect(200)).body as Page;
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    expect(all.nextCursor).toBeNull();
    const times = all.items.map((i) => Date.parse(i.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=1' : `?limit=1&cursor=${cursor}`;
      const page = (await api().get(`/cases/${kase.id}/filings${query}`).expect(200)).body as Page;
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(seen).toEqual(all.items.map((i) => i.id));
    expect(pages).toBe(all.items.length);
    const forged = Buffer.from('2026-01-01T00:00:00.000Z|x; DROP TABLE filings').toString('base64url');
    for (const bad of [`cursor=${forged}`, 'cursor=%27%3B--', 'limit=0', 'limit=201', 'limit=abc']) {
      const res = await api().get(`/cases/${kase.id}/filings?${bad}`).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('a worker killed mid-render', () => {
  const PLAINTIFFS = 3000;
  let t: TestApp;
  let ds: DataSource;
  let child: ChildProcess | undefined;
  let worker: INestApplicationContext | undefined;
  let build: string;
  const env = { ...ENV, QUEUE_PREFIX: `${QUEUE_PREFIX}k`, FILING_VOLUME_MAX_ROWS: '1000' };

  beforeAll(async () => {
    t = await startTestApp({ env });
    ds = t.api.get(DataSource);
    // the worker as `npm run build` compiles it, inside the repository (so node_modules resolve)
    mkdirSync(t.config.dataDir, { recursive: true });
    build = mkdtempSync(join(resolve(t.config.dataDir), 'worker-build-'));
    execFileSync('npx', ['swc', 'apps', 'libs', '-d', build, '--config-file', '.swcrc', '--quiet'], {
      stdio: 'ignore',
    });
  }, 120_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await worker?.close();
    await t?.close();
    if (build) rmSync(build, { recursive: true, force: true });
    await deleteQueueKeys(env.QUEUE_PREFIX);
  });

  it('resumes after SIGKILL and ends with exactly one set of documents and claimants filed once', async () => {
    const firm = await createFirm(t, '법무법인 재개');
    const paralegal = (await createStaff(t, firm, 'paralegal')).token;
    const attorney = await createStaff(t, firm, 'attorney');
    const kase = await createCase(t, attorney.token);
    const seeded = await seedApprovedClaimants(ds, t.api.get(Vault), {
      firmId: firm.firmId,
      caseId: kase.id,
      count: PLAINTIFFS,
    });

    child = spawn(process.execPath, [...workerNodeArgs(t.config), join(build, 'apps/worker/src/main.js')], {
      env: { ...process.env, ...env, DATA_DIR: t.config.dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((done) => child!.once('exit', (_code, signal) => done(signal)));

    const created = await request(t.http)
      .post(`/api/v1/cases/${kase.id}/filings`)
      .set('authorization', `Bearer ${paralegal}`)
      .send({ label: '재개 테스트', selection: { status: 'approved' }, eFiling: true })
      .expect(202);
    const filingId = (created.body as { id: string }).id;
    const progress = await waitFor(
      async () => {
        const rows = await ds.query<{ status: string; progress: number }[]>(
          `SELECT status, progress FROM filings WHERE id = $1`,
          [filingId],
        );
        return rows[0].status === 'rendering' && rows[0].progress > 10 ? rows[0] : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'the child worker to be rendering' },
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    child = undefined;
    const [atKill] = await ds.query<{ status: string }[]>(`SELECT status FROM filings WHERE id = $1`, [filingId]);
    expect(atKill.status).toBe('rendering');
    expect(progress.progress).toBeLessThan(100);
    const before = await ds.query<{ id: string }[]>(`SELECT id FROM filing_documents WHERE filing_id = $1`, [filingId]);

    worker = await createWorkerApp(testConfig(env));
    const ready = await waitFor(
      async () => {
        const res = await request(t.http)
          .get(`/api/v1/filings/${filingId}`)
          .set('authorization', `Bearer ${paralegal}`);
        const body = res.body as FilingBody;
        if (body.status === 'failed') throw new Error(`filing failed: ${body.failure}`);
        return body.status === 'ready' ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'the filing to be ready after the restart' },
    );

    // exactly one document per (kind, volume): 1 + 3 x 3 volumes + 2 + manifest
    const counts = await ds.query<{ kind: string; volume: number; n: number }[]>(
      `SELECT kind, volume, count(*)::int AS n FROM filing_documents WHERE filing_id = $1 GROUP BY kind, volume`,
      [filingId],
    );
    expect(counts).toHaveLength(13);
    expect(counts.every((c) => c.n === 1)).toBe(true);
    expect(ready.documents).toHaveLength(13);
    // documents stored before the kill were kept, not rendered again
    const after = new Set(ready.documents.map((d) => d.id));
    for (const d of before) expect(after.has(d.id)).toBe(true);

    const manifestDoc = ready.documents.find((d) => d.kind === 'manifest')!;
    const get = (docId: string) =>
      request(t.http)
        .get(`/api/v1/filings/${filingId}/documents/${docId}`)
        .set('authorization', `Bearer ${paralegal}`)
        .set('x-access-reason', 'resume check')
        .buffer(true)
        .parse(binary)
        .expect(200);
    const manifest = JSON.parse(((await get(manifestDoc.id)).body as Buffer).toString('utf8')) as Manifest;
    expect(manifest.documents).toHaveLength(12);
    for (const d of ready.documents.filter((x) => x.kind !== 'manifest')) {
      const body = (await get(d.id)).body as Buffer;
      const entry = manifest.documents.find((m) => m.kind === d.kind && m.volume === d.volume)!;
      expect(entry.sha256).toBe(sha256(body));
      expect(entry.bytes).toBe(body.length);
    }
    const csv = ready.documents.find((d) => d.kind === 'party-list-csv')!;
    const lines = ((await get(csv.id)).body as Buffer).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(PLAINTIFFS + 1);
    expect(lines[1]).toContain(`1,${seeded[0].name},`);
    expect(lines[PLAINTIFFS]).toContain(`${PLAINTIFFS},${seeded[PLAINTIFFS - 1].name},`);

    const filed = await ds.query<{ filed: number; history: number; extra: number }[]>(
      `SELECT count(*) FILTER (WHERE c.status = 'filed')::int AS filed,
              (SELECT count(*)::int FROM claimant_status_history h JOIN claimants x ON x.id = h.claimant_id
                WHERE x.case_id = $1 AND h.to_status = 'filed') AS history,
              (SELECT count(*)::int FROM (SELECT h.claimant_id FROM claimant_status_history h
                 JOIN claimants x ON x.id = h.claimant_id WHERE x.case_id = $1 AND h.to_status = 'filed'
                 GROUP BY h.claimant_id HAVING count(*) > 1) d) AS extra
         FROM claimants c WHERE c.case_id = $1`,
      [kase.id],
    );
    expect(filed[0]).toEqual({ filed: PLAINTIFFS, history: PLAINTIFFS, extra: 0 });
    const verify = await request(t.http)
      .get('/api/v1/audit/verify')
      .set('authorization', `Bearer ${firm.adminToken}`)
      .expect(200);
    expect(verify.body).toMatchObject({ ok: true });
  }, 240_000);
});
