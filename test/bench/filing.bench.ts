import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { DataSource } from 'typeorm';
import { CaseService, CasesModule } from '@app/cases';
import { COURT_MARGINS, FilingService, FilingsModule, hangulFontPaths } from '@app/filings';
import { OutboxRelay, PlatformModule, type AppConfig } from '@app/platform';
import { FirmService, SecurityModule, Vault, type StaffPrincipal } from '@app/security';
import { peakRssMb, startBenchWorker, stopBenchWorker, withBenchEnvironment } from './bench-helpers';
import { ratioOf, type Bench, type BenchResult } from './bench-types';
import { seedApprovedClaimants, syntheticPlaintiff } from './filing-seed';

const ROWS = Number(process.env.BENCH_FILING_ROWS ?? 10_000);
const LARGE_ROWS = Number(process.env.BENCH_FILING_LARGE_ROWS ?? 100_000);
const LARGE = process.env.BENCH_FILING_LARGE === '1';
const ROUNDS = Number(process.env.BENCH_FILING_ROUNDS ?? 3);
const GOAL_RATIO = 1.0;
const LIMIT_RATIO = 1.5;
const RSS_GOAL_MB = 400;
const LARGE_GOAL_RATIO = 11;
const PASSWORD = 'a long benchmark passphrase 2026';

/** What the API process holds for creating filings: platform (with the outbox relay), security, cases, filings. */
@Module({})
class BenchFilingApiModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: BenchFilingApiModule,
      imports: [PlatformModule.forRoot(config, 'api'), SecurityModule, CasesModule, FilingsModule],
    };
  }
}

/**
 * The naive way: pdfkit's `doc.text()` per cell (its line wrapper and layout), the same columns,
 * font (NanumGothic), margins and 18 pt rows, page numbers, for the plaintiff list and the claim
 * table of `rows` plaintiffs. Rows come from memory: no database, no decryption.
 */
async function naivePdf(path: string, rows: number, kind: 'list' | 'claims'): Promise<number> {
  const fonts = hangulFontPaths();
  const doc = new PDFDocument({ size: 'A4', margins: { ...COURT_MARGINS }, autoFirstPage: false });
  doc.registerFont('KR', fonts.regular);
  doc.registerFont('KR-Bold', fonts.bold);
  const out = createWriteStream(path);
  doc.pipe(out);
  const left = COURT_MARGINS.left;
  const right = 595.28 - COURT_MARGINS.right;
  const bottom = 841.89 - COURT_MARGINS.bottom;
  let page = 0;
  let y = 0;
  const newPage = (): void => {
    doc.addPage();
    page += 1;
    doc
      .font('KR')
      .fontSize(12)
      .text(`- ${page} -`, left, bottom + 30, { width: right - left, align: 'center' });
    y = COURT_MARGINS.top;
    if (page === 1) {
      doc
        .font('KR-Bold')
        .fontSize(16)
        .text(kind === 'list' ? '별지 원고 목록' : '별지 청구금액표', left, y, {
          width: right - left,
          align: 'center',
        });
      y += 36;
    }
    doc.font('KR-Bold').fontSize(12);
    doc.text('번호', left, y, { width: 56, align: 'right' });
    doc.text('성명', left + 68, y);
    doc.text(kind === 'list' ? '주소' : '청구금액', kind === 'list' ? left + 172 : right - 160, y, {
      width: kind === 'list' ? undefined : 160,
      align: kind === 'list' ? 'left' : 'right',
    });
    y += 24;
    doc.font('KR').fontSize(12);
  };
  let total = 0;
  for (let n = 1; n <= rows; n++) {
    const r = syntheticPlaintiff(n);
    const address = `(${r.postalCode}) ${r.address1} ${r.address2 ?? ''}`;
    const height =
      kind === 'list' ? Math.max(18, doc.heightOfString(address, { width: right - (left + 172), lineGap: 4 })) : 18;
    if (page === 0 || y + height > bottom) newPage();
    doc.text(String(n), left, y, { width: 56, align: 'right' });
    doc.text(r.name, left + 68, y, { width: kind === 'list' ? 92 : 220, lineBreak: false });
    if (kind === 'list') doc.text(address, left + 172, y, { width: right - (left + 172), lineGap: 4 });
    else doc.text(`${r.amountKrw.toLocaleString('en-US')}원`, right - 160, y, { width: 160, align: 'right' });
    total += r.amountKrw;
    y += height + 6;
  }
  if (kind === 'claims') doc.text(`합계 (원고 ${rows}명) ${total.toLocaleString('en-US')}원`, left, y + 6);
  doc.end();
  await finished(out);
  return page;
}

/** Peak resident set of a process so far (VmHWM), in MB. */
/** The worker with LOG_LEVEL=info; `phases` (render, finish in ms of each filing so far) come from its log lines. */
type BenchWorker = ChildProcess & { phases: number[][] };

async function startWorker(env: Record<string, string | undefined>): Promise<BenchWorker> {
  let pending = '';
  const phases: number[][] = [];
  const child = await startBenchWorker({ ...env, LOG_LEVEL: process.env.BENCH_WORKER_LOG_LEVEL ?? 'info' }, (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const ready = /render (\d+) ms, finish (\d+) ms/.exec(line);
      if (ready) phases.push([Number(ready[1]), Number(ready[2])]);
    }
  });
  return Object.assign(child, { phases });
}

interface RunFigures {
  plaintiffs: number;
  ms: number;
  workerPeakRssMb: number;
  documents: number;
  bytes: number;
  phasesMs: Record<string, number>;
}

/** Seeds `rows` approved claimants in a new case, files them all, and times queued -> ready. */
async function fileOnce(
  app: INestApplicationContext,
  worker: BenchWorker,
  actor: StaffPrincipal,
  rows: number,
): Promise<RunFigures> {
  const ds = app.get(DataSource);
  const kase = await app.get(CaseService).create(actor, {
    slug: `bench-filing-${rows}-${Date.now().toString(36)}`,
    title: '쿠팡 개인정보 유출 손해배상 공동소송',
    court: '서울중앙지방법원',
    defendant: { name: '쿠팡 주식회사', address: '서울특별시 송파구 송파대로 570', representative: '박대준' },
    claimRules: { baseAmountKrw: 300_000 },
    intakeOpen: true,
    settings: { caseEvidence: ['쿠팡 개인정보 유출 사고 공지문'] },
  });
  await seedApprovedClaimants(ds, app.get(Vault), { firmId: actor.firmId, caseId: kase.id, count: rows });
  await ds.query('ANALYZE claimants');
  const logged = worker.phases.length;
  {
    const started = process.hrtime.bigint();
    const { id } = await app
      .get(FilingService)
      .create(actor, kase.id, { label: `${rows}명`, selection: { status: 'approved' }, eFiling: true });
    app.get(OutboxRelay).kick();
    const createMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    for (;;) {
      const [f] = await ds.query<{ status: string; failure: string | null }[]>(
        `SELECT status, failure FROM filings WHERE id = $1`,
        [id],
      );
      if (f.status === 'failed') throw new Error(`filing failed: ${f.failure}`);
      if (f.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const workerPeakRssMb = peakRssMb(worker.pid!);
    const [docs] = await ds.query<{ n: number; bytes: string }[]>(
      `SELECT count(*)::int AS n, sum(bytes)::text AS bytes FROM filing_documents WHERE filing_id = $1`,
      [id],
    );
    // where the time went: creation (API), until the worker started (includes creation), render, final transaction
    for (let i = 0; i < 50 && worker.phases.length === logged; i++) await new Promise((r) => setTimeout(r, 20)); // its log line
    const [times] = await ds.query<{ queued: number }[]>(
      `SELECT (extract(epoch FROM started_at - created_at) * 1000)::int AS queued FROM filings WHERE id = $1`,
      [id],
    );
    return {
      plaintiffs: rows,
      ms: Math.round(ms),
      workerPeakRssMb,
      documents: docs.n,
      bytes: Number(docs.bytes),
      phasesMs: {
        create: createMs,
        queued: times.queued,
        render: worker.phases[logged]?.[0] ?? -1,
        finish: worker.phases[logged]?.[1] ?? -1,
      },
    };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Filing batch end to end (created -> queued -> rendered by the worker process -> ready, with all
 * seven kinds of documents sealed in storage and the plaintiffs moved to filed) for 10,000
 * plaintiffs, against a naive pdfkit script that writes only the plaintiff list and the claim table
 * of the same 10,000 rows with `doc.text()` per cell. Rounds alternate naive and product runs
 * (BENCH_FILING_ROUNDS, default 3) and the medians are compared, which evens out a busy machine.
 * One worker process serves every round, as in production (a worker lives for many filings), so
 * like the naive script, which runs in this process, it is cold in round 1 and warm after. Also the
 * worker's peak RSS over all rounds, and with BENCH_FILING_LARGE=1 the time for 100,000 plaintiffs (goal:
 * at most 11x the 10,000 time).
 */
export const bench: Bench = async () =>
  withBenchEnvironment(async ({ config, env }) => {
    const out = join(config.dataDir, 'naive');
    mkdirSync(out, { recursive: true });
    const app = await NestFactory.createApplicationContext(BenchFilingApiModule.forConfig(config), { logger: false });
    const worker = await startWorker(env);
    try {
      const { firmId, admin } = await app
        .get(FirmService)
        .createWithAdmin('법무법인 벤치', { email: 'bench-filing@firm.test', name: '관리자', password: PASSWORD });
      const actor: StaffPrincipal = {
        kind: 'staff',
        staffId: admin.id,
        firmId: firmId as StaffPrincipal['firmId'],
        role: 'paralegal',
        email: admin.email,
        name: admin.name,
        sessionId: 'bench',
        sourceIp: '127.0.0.1',
      };
      const naive: number[] = [];
      const runs: RunFigures[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const naiveStart = process.hrtime.bigint();
        await naivePdf(join(out, 'list.pdf'), ROWS, 'list');
        await naivePdf(join(out, 'claims.pdf'), ROWS, 'claims');
        naive.push(Math.round(Number(process.hrtime.bigint() - naiveStart) / 1e6));
        runs.push(await fileOnce(app, worker, actor, ROWS));
      }
      const naiveMs = median(naive);
      const productMs = median(runs.map((r) => r.ms));
      const peakRss = Math.max(...runs.map((r) => r.workerPeakRssMb));
      const ratio = ratioOf(productMs, naiveMs);
      const results: BenchResult[] = [
        {
          name: `filing-${ROWS}`,
          value: productMs,
          unit: 'ms',
          baseline: `naive pdfkit doc.text() per cell: plaintiff list + claim table of ${ROWS} rows, same font`,
          baselineValue: naiveMs,
          ratio,
          goal: `<= ${GOAL_RATIO}x time (never worse than ${LIMIT_RATIO}x); worker peak RSS < ${RSS_GOAL_MB} MB`,
          met: ratio <= GOAL_RATIO && peakRss < RSS_GOAL_MB,
          extra: {
            rounds: ROUNDS,
            naiveMs: naive,
            productMs: runs.map((r) => r.ms),
            workerPeakRssMb: peakRss,
            withinLimit: ratio <= LIMIT_RATIO,
            lastRun: runs[runs.length - 1],
          },
        },
      ];
      if (LARGE) {
        const large = await fileOnce(app, worker, actor, LARGE_ROWS);
        const largeRatio = ratioOf(large.ms, productMs);
        results.push({
          name: `filing-${LARGE_ROWS}`,
          value: large.ms,
          unit: 'ms',
          baseline: `the same pipeline for ${ROWS} plaintiffs, this run (median)`,
          baselineValue: productMs,
          ratio: largeRatio,
          goal: `<= ${LARGE_GOAL_RATIO}x time; worker peak RSS < ${RSS_GOAL_MB} MB`,
          met: largeRatio <= LARGE_GOAL_RATIO && large.workerPeakRssMb < RSS_GOAL_MB,
          extra: { ...large },
        });
      }
      return results;
    } finally {
      await stopBenchWorker(worker);
      await app.close();
    }
  });
