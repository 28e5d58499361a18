import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { assertTransition } from '@app/claimants';
import {
  APP_CONFIG,
  DomainError,
  failsJobAtOnce,
  JOB_OPTIONS,
  JobName,
  ProcessesJob,
  queryRows,
  type AppConfig,
  type JobContext,
  type JobHandler,
  type JobPayloads,
} from '@app/platform';
import { AuditService, Vault, type AuditEventInput } from '@app/security';
import { renderComplaint } from '../render/complaint';
import { renderRowDocument, warmUpRenderers, type RowDocumentJob } from '../render/row-document';
import { planVolumes, type VolumeKind } from '../render/volumes';
import { DOCUMENT_KINDS, type DocumentKind } from './filing-documents';
import {
  FilingDocumentStore,
  type DocumentSlot,
  type RenderedFacts,
  type StoredDocument,
} from './filing-document-store';
import type { FilingRow } from './filing.service';
import { ACCEPTED_EVIDENCE, CURSOR_BATCH, filingRowBatches, type FilingRowData } from './plaintiff-cursor';
import { RowChannel } from './row-channel';

/** One document to produce: a kind, its volume and the plaintiff numbers it covers. */
export interface PlannedDocument {
  kind: DocumentKind;
  volume: number;
  volumes: number;
  from: number;
  to: number;
  /** Share of the work (rows), for progress. */
  weight: number;
}

const VOLUME_KINDS: readonly VolumeKind[] = ['plaintiff-list', 'claim-table', 'evidence-list'];
/** Documents made of plaintiff rows (fed from one pass over the plaintiffs). */
const ROW_KINDS: readonly DocumentKind[] = [...VOLUME_KINDS, 'party-list-xlsx', 'party-list-csv'];
/** Row documents that print addresses. */
const ADDRESS_KINDS: readonly DocumentKind[] = ['plaintiff-list', 'party-list-xlsx', 'party-list-csv'];

/** The open volume of one kind during a pass, and the channel feeding its renderer. */
interface Sink {
  doc: PlannedDocument;
  channel: RowChannel<FilingRowData>;
}
const AUDIT_ID_PAGE = 5000;
/** Cancels sent to a move that must stop, and the wait after each for its statement to return. */
const CANCEL_TRIES = 50;
const CANCEL_WAIT_MS = 100;
const PROGRESS_EVERY_MS = 300;

/**
 * The documents of a filing of `plaintiffs` rows: the complaint, each annex split into volumes by
 * {@link planVolumes} (volume i covers a fixed range of plaintiff numbers, so any volume can be
 * rendered on its own after a crash), the XLSX and CSV party lists, and the manifest last.
 */
export function planDocuments(plaintiffs: number, limits: { maxRows: number; maxBytes: number }): PlannedDocument[] {
  const plan: PlannedDocument[] = [{ kind: 'complaint', volume: 1, volumes: 1, from: 1, to: plaintiffs, weight: 1 }];
  for (const kind of VOLUME_KINDS) {
    const p = planVolumes(kind, plaintiffs, limits);
    for (let v = 1; v <= p.volumes; v++) {
      const from = (v - 1) * p.rowsPerVolume + 1;
      const to = v === p.volumes ? plaintiffs : v * p.rowsPerVolume;
      plan.push({ kind, volume: v, volumes: p.volumes, from, to, weight: Math.max(1, to - from + 1) });
    }
  }
  for (const kind of ['party-list-xlsx', 'party-list-csv'] as const) {
    plan.push({ kind, volume: 1, volumes: 1, from: 1, to: plaintiffs, weight: Math.max(1, plaintiffs) });
  }
  plan.push({ kind: 'manifest', volume: 1, volumes: 1, from: 1, to: plaintiffs, weight: 1 });
  return plan;
}

/** Progress 0..99 while rendering (100 only when ready), written at most every 300 ms. */
class Progress {
  private done = 0;
  private lastWrite = 0;
  private lastPercent = -1;

  constructor(
    private readonly ds: DataSource,
    private readonly filingId: string,
    private readonly total: number,
    private readonly ctx: JobContext,
  ) {}

  get percent(): number {
    return Math.min(99, Math.floor((this.done / this.total) * 100));
  }

  async advance(weight: number, force = false): Promise<void> {
    this.done += weight;
    const now = Date.now();
    if (!force && now - this.lastWrite < PROGRESS_EVERY_MS) return;
    const percent = this.percent;
    if (percent === this.lastPercent) return;
    this.lastWrite = now;
    this.lastPercent = percent;
    await this.ds.query(`UPDATE filings SET progress = greatest(progress, $2) WHERE id = $1 AND status = 'rendering'`, [
      this.filingId,
      percent,
    ]);
    await this.ctx.updateProgress(percent);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Renderer errors (bad data) and the like are final: retrying cannot help. */
function asFinal(err: unknown): unknown {
  if (err instanceof RangeError) return new DomainError('UNPROCESSABLE', `Rendering failed: ${err.message}`);
  return err;
}

function failureText(err: unknown): string {
  if (err instanceof DomainError) return `${err.code}: ${err.message}`.slice(0, 500);
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
  return 'render failed';
}

/** Closes a runner's connection, so that its release drops it from the pool instead of reusing it. */
async function closeConnection(runner: QueryRunner): Promise<void> {
  const client = (await runner.connect()) as PoolClient;
  await client.end().catch(() => undefined);
}

/**
 * The plaintiffs' move approved -> filed, started in a transaction of its own when rendering starts,
 * so that PostgreSQL updates the claimants and writes their history rows while the worker renders;
 * {@link FilingRenderHandler} commits it once every document is stored, or rolls it back. Until then
 * the moved rows stay locked: a withdrawal or a status change of a plaintiff waits for the filing and
 * then finds them filed (refused as an invalid transition) or, if the filing fails, as they were; an
 * API request gives up after API_LOCK_TIMEOUT_MS with 409 RECORD_BUSY.
 * A worker that dies mid-render takes its connection, and so the transaction, with it.
 */
class FiledMove {
  /** Plaintiffs moved; settles when the UPDATE has run (a rejection is kept for {@link finish}). */
  readonly moved: Promise<number>;
  private settled = false;
  private done = false;

  private constructor(
    private readonly ds: DataSource,
    private readonly runner: QueryRunner,
    private readonly pid: number,
    readonly reason: string,
    filing: FilingRow,
  ) {
    this.moved = this.move(filing);
    this.moved.then(
      () => (this.settled = true),
      () => (this.settled = true),
    );
  }

  static async start(ds: DataSource, filing: FilingRow): Promise<FiledMove> {
    assertTransition('approved', 'filed', 'filing');
    const runner = ds.createQueryRunner();
    try {
      await runner.connect();
      const [{ pid }] = await runner.manager.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
      await runner.startTransaction();
      // This transaction stays open (idle) while the documents render, holding the plaintiffs' rows.
      // If the worker's host vanishes without closing the connection, the server finds out within
      // a couple of minutes (keepalives), or within a second while a statement runs, instead of
      // holding the rows until the OS gives up on the socket; a transaction left idle for 30
      // minutes (far beyond any render) is ended by the server.
      // (The connection check needs Linux's POLLRDHUP: elsewhere, e.g. an embedded PostgreSQL on
      // macOS, the server refuses the setting, and the move goes on without it.)
      await runner.manager.query(
        `DO $$ BEGIN
           PERFORM set_config('idle_in_transaction_session_timeout', '30min', true),
                   set_config('tcp_keepalives_idle', '60', true),
                   set_config('tcp_keepalives_interval', '10', true),
                   set_config('tcp_keepalives_count', '6', true);
           BEGIN
             PERFORM set_config('client_connection_check_interval', '1s', true);
           EXCEPTION WHEN invalid_parameter_value THEN NULL;
           END;
         END $$`,
      );
      return new FiledMove(ds, runner, pid, `filed in filing "${filing.label}" (${filing.id})`, filing);
    } catch (err) {
      // never hand the pool a connection inside a transaction
      try {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
      } catch {
        await closeConnection(runner);
      }
      await runner.release();
      throw err;
    }
  }

  get tx(): EntityManager {
    return this.runner.manager;
  }

  async commit(): Promise<void> {
    await this.runner.commitTransaction();
    this.done = true;
  }

  /**
   * Rolls back unless committed and frees the connection; never throws (it runs in a `finally`,
   * where it must not hide the render's own error). An UPDATE still waiting for a row is cancelled
   * first (again until it returns: a cancel that arrives before the statement starts is lost). If
   * the rollback cannot be done, the connection is closed instead of going back to the pool with
   * the transaction open (the server then rolls it back).
   */
  async end(): Promise<void> {
    let clean = this.done;
    try {
      for (let tries = 0; !this.done && !this.settled; tries++) {
        if (tries === CANCEL_TRIES) throw new Error('the move did not stop when cancelled');
        await this.ds.query(`SELECT pg_cancel_backend($1)`, [this.pid]);
        await Promise.race([this.moved.catch(() => undefined), delay(CANCEL_WAIT_MS)]);
      }
      if (!this.done) {
        await this.moved.catch(() => undefined);
        if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
        clean = true;
      }
    } catch (err) {
      FiledMove.log.warn(`abandoning the move's connection: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      if (!clean) await closeConnection(this.runner);
    } finally {
      await this.runner.release();
    }
  }

  private static readonly log = new Logger('FiledMove');

  private async move(filing: FilingRow): Promise<number> {
    const moved = await this.runner.manager.query<{ n: number }[]>(
      // Rows are locked in id order, as every other multi-row lock on claimants (merges, key
      // rotation) takes them, so the move cannot deadlock with those; a row that stops being
      // approved while the move waits for it is left out (re-checked once its lock is free).
      `WITH locked AS MATERIALIZED (
         SELECT c.id FROM claimants c JOIN filing_plaintiffs fp ON fp.claimant_id = c.id
          WHERE fp.filing_id = $1 AND c.status = 'approved' AND c.merged_into IS NULL
          ORDER BY c.id FOR NO KEY UPDATE OF c
       ), moved AS (
         UPDATE claimants c SET status = 'filed', updated_at = now() FROM locked WHERE c.id = locked.id
         RETURNING c.id
       ), history AS (
         INSERT INTO claimant_status_history (firm_id, claimant_id, from_status, to_status, actor_type, actor_id, reason)
         SELECT $2, id, 'approved', 'filed', 'system', NULL, $3 FROM moved
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM history`,
      [filing.id, filing.firm_id, this.reason],
    );
    return moved[0].n;
  }
}

/**
 * `filings.render`: produces every document of a filing (streaming plaintiffs from PostgreSQL
 * through a cursor, a batch at a time) while its plaintiffs move approved -> filed with history rows
 * in a transaction of their own ({@link FiledMove}), which then gets the chained audit events and
 * the filing's `ready` and commits only once every document is stored. Idempotent: a
 * ready or failed filing is left alone; documents already stored are skipped (one per kind and
 * volume, guarded by a unique key), so a retry after a crash completes the set.
 */
@Injectable()
@ProcessesJob(JobName.RenderFiling)
export class FilingRenderHandler implements JobHandler<typeof JobName.RenderFiling>, OnApplicationBootstrap {
  private readonly log = new Logger(FilingRenderHandler.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vault: Vault,
    private readonly audit: AuditService,
    private readonly store: FilingDocumentStore,
  ) {}

  /**
   * At worker boot: removes plaintext temp files of older versions, loads pdfkit, exceljs and the
   * fonts and warms the renderers (not in the first filing).
   */
  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    await this.store.removeLegacyTemp();
    await warmUpRenderers();
    this.log.debug(`renderers warm in ${Date.now() - started} ms`);
  }

  async handle(payload: JobPayloads[typeof JobName.RenderFiling], ctx: JobContext): Promise<void> {
    const rows = await queryRows<FilingRow>(
      this.ds,
      `UPDATE filings SET status = 'rendering', started_at = coalesce(started_at, now()), attempts = attempts + 1
        WHERE id = $1 AND status IN ('queued', 'rendering') RETURNING *`,
      [payload.filingId],
    );
    const filing = rows[0];
    if (!filing) return; // ready, failed or gone: nothing to do
    try {
      const plan = planDocuments(filing.plaintiffs, {
        maxRows: this.config.filingVolumeMaxRows,
        maxBytes: this.config.filingVolumeMaxBytes,
      });
      const started = Date.now();
      const move = await FiledMove.start(this.ds, filing);
      try {
        await this.renderAll(filing, plan, ctx);
        const rendered = Date.now();
        await this.finish(filing, plan.length, move);
        await ctx.updateProgress(100);
        this.log.log(
          `filing ${filing.id} ready: ${filing.plaintiffs} plaintiffs, ${plan.length} documents, ` +
            `render ${rendered - started} ms, finish ${Date.now() - rendered} ms`,
        );
      } finally {
        await move.end();
      }
    } catch (e) {
      const err = asFinal(e);
      const final = failsJobAtOnce(err) || ctx.attempt >= JOB_OPTIONS[JobName.RenderFiling].attempts;
      this.log.warn(`filing ${filing.id} attempt ${ctx.attempt} failed${final ? ' (final)' : ''}: ${failureText(err)}`);
      if (final) await this.fail(filing, err);
      throw err;
    }
  }

  /** A render that died for good outside `handle` (worker killed too often): fail the filing. */
  async onFinalFailure(payload: JobPayloads[typeof JobName.RenderFiling], reason: string): Promise<void> {
    const rows = await this.ds.query<FilingRow[]>(
      `SELECT * FROM filings WHERE id = $1 AND status IN ('queued', 'rendering')`,
      [payload.filingId],
    );
    if (rows[0]) await this.fail(rows[0], new Error(reason));
  }

  private async renderAll(filing: FilingRow, plan: PlannedDocument[], ctx: JobContext): Promise<void> {
    const existing = new Set(
      (
        await this.ds.query<{ kind: string; volume: number }[]>(
          `SELECT kind, volume FROM filing_documents WHERE filing_id = $1`,
          [filing.id],
        )
      ).map((d) => `${d.kind}:${d.volume}`),
    );
    const total = plan.reduce((sum, d) => sum + d.weight, 0);
    const progress = new Progress(this.ds, filing.id, total, ctx);
    const pending = plan.filter((d) => !existing.has(`${d.kind}:${d.volume}`));
    const done = plan.filter((d) => existing.has(`${d.kind}:${d.volume}`));
    await progress.advance(
      done.reduce((sum, d) => sum + d.weight, 0),
      true,
    );
    for (const doc of pending.filter((d) => d.kind === 'complaint')) {
      await this.store.write(this.slot(filing, doc), (out) => this.complaint(filing, out));
      await progress.advance(doc.weight, true);
    }
    const rowDocs = pending.filter((d) => ROW_KINDS.includes(d.kind));
    if (rowDocs.length > 0) await this.onePass(filing, rowDocs, progress);
    for (const doc of pending.filter((d) => d.kind === 'manifest')) {
      await this.store.write(this.slot(filing, doc), (out) => this.manifest(filing, out));
      await progress.advance(doc.weight, true);
    }
  }

  private slot(filing: FilingRow, doc: PlannedDocument): DocumentSlot {
    return { filingId: filing.id, label: filing.label, kind: doc.kind, volume: doc.volume, volumes: doc.volumes };
  }

  /**
   * One cursor pass over the plaintiffs feeds every pending row document at once (annex volumes,
   * XLSX, CSV): each kind has one open volume at a time, fed through its own {@link RowChannel};
   * a volume is closed (and stored) as soon as its last row has gone in. Each plaintiff is read and
   * decrypted once. Any failure fails every open document, so none of them is stored half-done.
   */
  private async onePass(filing: FilingRow, docs: PlannedDocument[], progress: Progress): Promise<void> {
    const queues = new Map<DocumentKind, PlannedDocument[]>();
    for (const doc of docs) queues.set(doc.kind, [...(queues.get(doc.kind) ?? []), doc]);
    for (const q of queues.values()) q.sort((a, b) => a.volume - b.volume);
    const active = new Map<DocumentKind, Sink>();
    const running: Promise<void>[] = [];
    let failure: unknown;
    const open = (doc: PlannedDocument): Sink => {
      const channel = new RowChannel<FilingRowData>();
      const done = this.store
        .write(this.slot(filing, doc), (out) => this.renderRows(filing, doc, channel, out))
        .then(() => undefined);
      done.catch((err: unknown) => {
        failure ??= err;
      });
      running.push(done);
      return { doc, channel };
    };
    const range = {
      filingId: filing.id,
      from: Math.min(...docs.map((d) => d.from)),
      to: Math.max(...docs.map((d) => d.to)),
    };
    const needs = {
      address: docs.some((d) => ADDRESS_KINDS.includes(d.kind)),
      evidence: docs.some((d) => d.kind === 'evidence-list'),
    };
    try {
      for await (const batch of filingRowBatches(this.ds, this.vault, range, needs)) {
        if (failure !== undefined) throw asError(failure);
        const pushes = new Map<Sink, FilingRowData[]>();
        const closing: Sink[] = [];
        for (const row of batch) {
          for (const [kind, queue] of queues) {
            let sink = active.get(kind);
            if (!sink) {
              const next = queue[0];
              if (!next || row.number < next.from) continue;
              queue.shift();
              sink = open(next);
              active.set(kind, sink);
            }
            const list = pushes.get(sink);
            if (list) list.push(row);
            else pushes.set(sink, [row]);
            if (row.number >= sink.doc.to) {
              closing.push(sink);
              active.delete(kind);
            }
          }
        }
        let weight = 0;
        for (const [sink, rows] of pushes) {
          sink.channel.push(rows);
          weight += rows.length;
        }
        for (const sink of closing) sink.channel.close();
        await progress.advance(weight);
        for (const sink of active.values()) await sink.channel.waitBelow(CURSOR_BATCH);
      }
      for (const sink of active.values()) sink.channel.close();
      active.clear();
    } catch (err) {
      for (const sink of active.values()) sink.channel.fail(asError(err));
      await Promise.allSettled(running);
      throw err;
    }
    const settled = await Promise.allSettled(running);
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw asError(rejected.reason);
    if (failure !== undefined) throw asError(failure);
  }

  /** Renders one row document from its channel; a short row count is an error (nothing stored). */
  private async renderRows(
    filing: FilingRow,
    doc: PlannedDocument,
    rows: AsyncIterable<FilingRowData>,
    out: Writable,
  ): Promise<RenderedFacts> {
    const facts = await renderRowDocument(await this.rowJob(filing, doc), rows, out);
    const expected = doc.to - doc.from + 1;
    if (facts.rows !== expected) throw new Error(`${doc.kind} ${doc.volume}: ${facts.rows} rows, expected ${expected}`);
    return facts;
  }

  /** What a row document needs besides its rows: volume, date, and totals of the volumes before it. */
  private async rowJob(filing: FilingRow, doc: PlannedDocument): Promise<RowDocumentJob> {
    const creationDate = filing.created_at;
    const volume = { index: doc.volume, of: doc.volumes };
    switch (doc.kind) {
      case 'plaintiff-list':
        return { kind: doc.kind, options: { volume, creationDate } };
      case 'claim-table': {
        const prior = await this.ds.query<{ rows: number; total: string }[]>(
          `SELECT count(*)::int AS rows, coalesce(sum(amount_krw), 0)::text AS total
             FROM filing_plaintiffs WHERE filing_id = $1 AND number < $2`,
          [filing.id, doc.from],
        );
        const priorTotals = { rows: prior[0].rows, totalKrw: Number(prior[0].total) };
        return { kind: doc.kind, options: { volume, creationDate, priorTotals } };
      }
      case 'evidence-list': {
        // Plaintiffs before this volume who have evidence each took one 갑 제N호증 number.
        const before = await this.ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM filing_plaintiffs fp
            WHERE fp.filing_id = $1 AND fp.number < $2
              AND EXISTS (SELECT 1 FROM evidence e WHERE e.claimant_id = fp.claimant_id AND ${ACCEPTED_EVIDENCE})`,
          [filing.id, doc.from],
        );
        const caseEvidence = filing.render_input.caseEvidence.map((label) => ({ label }));
        const options = {
          volume,
          creationDate,
          firstPlaintiffEvidenceNumber: caseEvidence.length + 1 + before[0].n,
          includeCaseEvidence: volume.index === 1,
        };
        return { kind: doc.kind, caseEvidence, options };
      }
      case 'party-list-xlsx':
        return { kind: doc.kind, options: { created: creationDate } };
      case 'party-list-csv':
        return { kind: doc.kind };
      default:
        throw new Error(`${doc.kind} is not a row document`);
    }
  }

  private async complaint(filing: FilingRow, out: Writable): Promise<RenderedFacts> {
    const input = filing.render_input;
    const evidence = await this.ds.query<{ any: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM filing_plaintiffs fp JOIN evidence e ON e.claimant_id = fp.claimant_id
                       WHERE fp.filing_id = $1 AND ${ACCEPTED_EVIDENCE}) AS any`,
      [filing.id],
    );
    return renderComplaint(
      {
        court: input.court,
        counsel: input.counsel,
        defendant: input.defendant,
        plaintiffCount: filing.plaintiffs,
        claimValueKrw: Number(filing.claim_value_krw),
        stampDutyKrw: Number(filing.stamp_duty_krw),
        interestStartDate: input.interestStartDate,
        filingDate: input.filingDate,
        claimText: input.claimText,
        caseEvidence: input.caseEvidence.map((label) => ({ label })),
        hasPlaintiffEvidence: evidence[0]?.any ?? false,
      },
      out,
      { creationDate: filing.created_at },
    );
  }

  /** JSON listing every other document with its kind, volume, pages, bytes and SHA-256. */
  private async manifest(filing: FilingRow, out: Writable): Promise<RenderedFacts> {
    const docs = await this.ds.query<(Omit<StoredDocument, 'fileName' | 'contentType'> & Record<string, unknown>)[]>(
      `SELECT kind, volume, volumes, file_name AS "fileName", content_type AS "contentType", pages, rows,
              bytes::float8 AS bytes, sha256
         FROM filing_documents WHERE filing_id = $1 AND kind <> 'manifest'`,
      [filing.id],
    );
    const order = (k: string): number => DOCUMENT_KINDS.indexOf(k as DocumentKind);
    docs.sort((a, b) => order(a.kind) - order(b.kind) || a.volume - b.volume);
    const manifest = {
      filingId: filing.id,
      caseId: filing.case_id,
      label: filing.label,
      court: filing.render_input.court,
      eFiling: filing.e_filing,
      filingDate: filing.render_input.filingDate,
      totals: {
        plaintiffs: filing.plaintiffs,
        claimValueKrw: Number(filing.claim_value_krw),
        division: filing.division,
        stampDutyKrw: Number(filing.stamp_duty_krw),
        serviceFeeKrw: Number(filing.service_fee_krw),
      },
      documents: docs,
    };
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), () => resolve());
    });
    return {};
  }

  /**
   * Completes the transaction {@link FiledMove} opened: the filing locked and still rendering, every
   * document stored, every plaintiff moved (a plaintiff who stopped being approved before the move
   * took them makes the whole filing fail: the papers name them), one chained audit event per plaintiff, the filing
   * ready; then commit.
   */
  private async finish(filing: FilingRow, documents: number, move: FiledMove): Promise<void> {
    const tx = move.tx;
    const moved = await move.moved; // first: a failed move (deadlock, cancel) reports its own error
    const locked = await tx.query<{ status: string }[]>(`SELECT status FROM filings WHERE id = $1 FOR UPDATE`, [
      filing.id,
    ]);
    if (locked[0]?.status !== 'rendering') return; // another run finished (or failed) it: rolled back
    const stored = await tx.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM filing_documents WHERE filing_id = $1`,
      [filing.id],
    );
    if (stored[0].n !== documents) throw new Error(`expected ${documents} documents, found ${stored[0].n}`);
    if (moved !== filing.plaintiffs) {
      throw new DomainError(
        'CONFLICT',
        `${filing.plaintiffs - moved} plaintiffs are no longer approved (withdrawn or changed after the ` +
          `filing was created); create the filing again`,
      );
    }
    const written = Date.now();
    await this.audit.recordMany(tx, this.filedEvents(filing, move.reason));
    this.log.debug(`filing ${filing.id}: audit events in ${Date.now() - written} ms`);
    await tx.query(
      `UPDATE filings SET status = 'ready', progress = 100, ready_at = clock_timestamp(), failure = NULL WHERE id = $1`,
      [filing.id],
    );
    await move.commit();
  }

  /** One event per plaintiff (read outside the transaction: a filing's plaintiff rows never change), then filing.ready. */
  private async *filedEvents(filing: FilingRow, reason: string): AsyncGenerator<AuditEventInput> {
    const firmId = filing.firm_id as AuditEventInput['firmId'];
    const details = { from: 'approved', to: 'filed', filingId: filing.id }; // one object: its texts are worked out once
    let after = 0;
    for (;;) {
      const rows = await this.ds.query<{ number: number; claimant_id: string }[]>(
        `SELECT number, claimant_id FROM filing_plaintiffs WHERE filing_id = $1 AND number > $2
          ORDER BY number LIMIT ${AUDIT_ID_PAGE}`,
        [filing.id, after],
      );
      for (const r of rows) {
        yield {
          firmId,
          actorType: 'system',
          actorId: null,
          action: 'claimant.status_changed',
          subjectType: 'claimant',
          subjectId: r.claimant_id,
          reason,
          details,
          retention: 'access',
        };
      }
      if (rows.length < AUDIT_ID_PAGE) break;
      after = rows[rows.length - 1].number;
    }
    yield {
      firmId,
      actorType: 'system',
      actorId: null,
      action: 'filing.ready',
      subjectType: 'filing',
      subjectId: filing.id,
      details: { caseId: filing.case_id, plaintiffs: filing.plaintiffs, requestedBy: filing.created_by },
      retention: 'access',
    };
  }

  /** Final failure: the reason on the filing, its plaintiffs free again, claimants untouched. */
  private async fail(filing: FilingRow, err: unknown): Promise<void> {
    const failure = failureText(err);
    try {
      const removeFiles = await this.ds.transaction(async (tx) => {
        const rows = await queryRows<{ id: string }>(
          tx,
          `UPDATE filings SET status = 'failed', failure = $2, failed_at = now()
            WHERE id = $1 AND status IN ('queued', 'rendering') RETURNING id`,
          [filing.id, failure],
        );
        if (rows.length === 0) return undefined;
        await tx.query(`UPDATE filing_plaintiffs SET open = false WHERE filing_id = $1`, [filing.id]);
        const discard = await this.store.discard(tx, filing.id);
        await this.audit.record(tx, {
          firmId: filing.firm_id as AuditEventInput['firmId'],
          actorType: 'system',
          actorId: null,
          action: 'filing.failed',
          subjectType: 'filing',
          subjectId: filing.id,
          details: {
            caseId: filing.case_id,
            plaintiffs: filing.plaintiffs,
            code: err instanceof DomainError ? err.code : 'INTERNAL_ERROR',
          },
          retention: 'access',
        });
        return discard;
      });
      await removeFiles?.();
    } catch (e) {
      this.log.error(
        `filing ${filing.id}: could not record the failure: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
