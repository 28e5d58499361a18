import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { pipeline } from 'node:stream';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  FILE_STORAGE,
  JOB_OPTIONS,
  JobName,
  ProcessesJob,
  type AppConfig,
  type FileStorage,
  type JobContext,
  type JobHandler,
  type JobPayloads,
  failsJobAtOnce,
  queryRows,
} from '@app/platform';
import { AuditService, UnknownKeyVersionError, Vault, firmScope } from '@app/security';
import { todayInKorea, validateIntake } from '../intake/intake-validator';
import {
  CsvReadError,
  IMPORT_COLUMNS,
  checkHeader,
  columnOf,
  readCsvRecords,
  recordToIntakeBody,
  type CsvRecord,
  type ImportColumn,
} from './import-csv';
import {
  ImportSupersededError,
  ImportWriter,
  MAX_STORED_ERRORS,
  stageRow,
  type ImportBatch,
  type ImportRowError,
} from './import-writer';
import { IMPORT_KEY_PURPOSE, importFileContext, type ImportStatus } from './import.service';
import { SealedFileError, openSegmented } from './sealed-file';

interface ImportJobRow {
  id: string;
  firm_id: string;
  case_id: string;
  created_by: string;
  storage_key: string;
  data_key_enc: string | null;
  status: ImportStatus;
  rows: number;
  bytes: string;
  stored_errors: number;
  created_at: Date;
}

/** Rows validated and sealed between two turns of the event loop (about a few milliseconds). */
const YIELD_EVERY_ROWS = 16;

/** A batch being filled, with the keys of its rows (a repeat within the batch is not staged). */
interface OpenBatch extends ImportBatch {
  seen: Set<string>;
}

function openBatch(): OpenBatch {
  return { records: 0, rows: [], duplicates: 0, rejected: 0, errors: [], lastLine: 0, bytes: 0, seen: new Set() };
}

/**
 * `claimants.import`: reads the sealed CSV as a stream, validates every row with the public form's
 * {@link validateIntake} (imported claimants carry no consent answers or attestation in the CSV:
 * the firm's retainer covers them, so no consent is required here and consents are recorded as
 * `{ source: 'import' }`), and commits batches of claimants with their checkpoint. Sealing batch
 * n+1 overlaps the database writing batch n. Idempotent under retry: it resumes after the last
 * committed batch. A file it cannot read (wrong header, broken quoting) fails the import with a
 * clear message and line; only infrastructure errors are thrown (BullMQ retries them).
 */
@Injectable()
@ProcessesJob(JobName.ImportClaimants)
export class ImportClaimantsHandler implements JobHandler<typeof JobName.ImportClaimants> {
  private readonly log = new Logger(ImportClaimantsHandler.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly vault: Vault,
    private readonly audit: AuditService,
  ) {}

  async handle(payload: JobPayloads[typeof JobName.ImportClaimants], ctx: JobContext): Promise<void> {
    const row = await this.start(payload.importId);
    if (!row) return;
    try {
      await new ImportRun(this.ds, this.vault, this.storage, row, this.config.importBatchRows, ctx).run();
    } catch (err) {
      if (err instanceof ImportSupersededError) {
        this.log.warn(`import ${row.id}: another runner took over; this one stops`);
        return;
      }
      // A DomainError is not retried (WorkerHost), unless transient; otherwise only the last attempt gives up.
      if (failsJobAtOnce(err) || ctx.attempt >= JOB_OPTIONS[JobName.ImportClaimants].attempts) {
        await this.fail(
          row,
          err instanceof UnknownKeyVersionError
            ? `The file is sealed under key version ${err.version}, which this worker does not have: ` +
                'give every worker the newest PII key, then upload the file again'
            : 'The import stopped on an internal error; rows before the last checkpoint were imported',
        );
        await this.finish(row.id).catch(() => undefined);
      }
      throw err;
    }
    await this.finish(row.id);
  }

  /** Marks the import running; undefined when there is nothing (more) to do. */
  private async start(importId: string): Promise<ImportJobRow | undefined> {
    const rows = await queryRows<ImportJobRow>(
      this.ds,
      `UPDATE imports SET status = 'running', started_at = coalesce(started_at, now()), attempts = attempts + 1
        WHERE id = $1 AND status IN ('queued', 'running')
        RETURNING id, firm_id, case_id, created_by, storage_key, data_key_enc, status, rows, bytes,
                  jsonb_array_length(errors) AS stored_errors, created_at`,
      [importId],
    );
    return rows[0];
  }

  private async fail(row: ImportJobRow, failure: string): Promise<void> {
    await this.ds.query(
      `UPDATE imports SET status = 'failed', failure = $2, finished_at = now() WHERE id = $1 AND status = 'running'`,
      [row.id, failure],
    );
  }

  /** Audits the outcome and removes the uploaded file (personal data kept no longer than needed). */
  private async finish(importId: string): Promise<void> {
    const rows = await this.ds.query<
      {
        firm_id: string;
        case_id: string;
        storage_key: string;
        status: ImportStatus;
        rows: number;
        inserted: number;
        duplicates: number;
        rejected: number;
        file_deleted_at: Date | null;
      }[]
    >(
      `SELECT firm_id, case_id, storage_key, status, rows, inserted, duplicates, rejected, file_deleted_at
         FROM imports WHERE id = $1`,
      [importId],
    );
    const r = rows[0];
    if (!r || (r.status !== 'done' && r.status !== 'failed') || r.file_deleted_at) return;
    await this.storage.delete(r.storage_key);
    await this.ds.transaction(async (tx) => {
      const claimed = await queryRows<{ id: string }>(
        tx,
        `UPDATE imports SET file_deleted_at = now() WHERE id = $1 AND file_deleted_at IS NULL RETURNING id`,
        [importId],
      );
      if (claimed.length === 0) return;
      await this.audit.record(tx, {
        firmId: firmScope(r.firm_id),
        actorType: 'system',
        actorId: null,
        action: r.status === 'done' ? 'import.completed' : 'import.failed',
        subjectType: 'import',
        subjectId: importId,
        details: {
          caseId: r.case_id,
          rows: r.rows,
          inserted: r.inserted,
          duplicates: r.duplicates,
          rejected: r.rejected,
        },
        retention: 'access',
      });
    });
  }
}

/** One run of one import (a job attempt): stream, validate, seal, commit in batches. */
class ImportRun {
  private readonly writer: ImportWriter;
  private readonly today = todayInKorea();
  private readonly totalBytes: number;
  private header: Record<ImportColumn, number> | undefined;
  /** Data records committed (the checkpoint) and errors stored so far. */
  private committedRows: number;
  private storedErrors: number;
  /** The one batch commit that may be in flight while the next batch is read and sealed. */
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly vault: Vault,
    private readonly storage: FileStorage,
    private readonly row: ImportJobRow,
    private readonly batchRows: number,
    private readonly ctx: JobContext,
  ) {
    this.writer = new ImportWriter(ds, {
      importId: row.id,
      firmId: row.firm_id,
      caseId: row.case_id,
      requestedAt: row.created_at,
    });
    this.totalBytes = Math.max(1, Number(row.bytes));
    this.committedRows = row.rows;
    this.storedErrors = Number(row.stored_errors);
  }

  async run(): Promise<void> {
    if (!this.row.data_key_enc) return this.failWith('The uploaded file is missing', undefined);
    await this.writer.open();
    try {
      await this.load(this.row.data_key_enc);
    } finally {
      // A commit still in flight (after an error) must end before its connection goes back.
      await this.inflight.catch(() => undefined);
      await this.writer.close();
    }
  }

  private async load(dataKeyEnc: string): Promise<void> {
    const key = this.vault.unwrapKey(IMPORT_KEY_PURPOSE, this.row.id, dataKeyEnc);
    const plain = pipeline(
      this.storage.get(this.row.storage_key),
      openSegmented(key, importFileContext(this.row.id)),
      () => undefined,
    );
    key.fill(0);
    const skip = this.row.rows;
    let seen = 0;
    let batch = openBatch();
    try {
      let sinceYield = 0;
      for await (const records of readCsvRecords(plain)) {
        for (const rec of records) {
          // Every few rows, let the batch commit in flight move on: each of its round trips waits
          // for this loop to come round, and a whole chunk of rows is a long wait.
          if (++sinceYield >= YIELD_EVERY_ROWS) {
            sinceYield = 0;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          if (!this.header) {
            const checked = checkHeader(rec.fields);
            if (!checked.ok) {
              plain.destroy();
              return this.failWith(`Wrong header: ${checked.message}`, { line: rec.line, field: 'header' });
            }
            this.header = checked.index;
            continue;
          }
          if (rec.fields.every((f) => f.trim() === '')) continue; // a row of empty cells (spreadsheet export)
          if (++seen <= skip) continue;
          this.add(batch, rec);
          if (batch.records >= this.batchRows) {
            await this.flush(batch);
            batch = openBatch();
          }
        }
      }
    } catch (err) {
      if (err instanceof SealedFileError) {
        // Tampered or damaged at rest: reading it again will not help. Nothing unauthenticated was used.
        await this.inflight;
        return this.failWith('The stored upload failed its integrity check; upload the file again', undefined);
      }
      if (!(err instanceof CsvReadError)) throw err;
      await this.flush(batch);
      await this.inflight;
      return this.failWith(
        `The file is not valid CSV from line ${err.line}: ${err.reason}. Rows before line ${err.line} were imported; ` +
          'fix the file and import it again (rows already imported count as duplicates)',
        { line: err.line, field: 'file', message: err.reason },
      );
    }
    if (!this.header) {
      return this.failWith(`The file is empty: the first row must be the header ${IMPORT_COLUMNS.join(',')}`, {
        line: 1,
        field: 'header',
      });
    }
    await this.flush(batch);
    await this.inflight;
    const done = await queryRows<{ id: string }>(
      this.ds,
      `UPDATE imports SET status = 'done', progress = 100, finished_at = now()
        WHERE id = $1 AND status = 'running' AND rows = $2 RETURNING id`,
      [this.row.id, this.committedRows],
    );
    if (done.length === 0) throw new ImportSupersededError();
    await this.ctx.updateProgress(100);
  }

  private add(batch: OpenBatch, rec: CsvRecord): void {
    batch.records++;
    batch.lastLine = rec.endLine;
    batch.bytes = rec.bytes;
    if (rec.fields.length !== IMPORT_COLUMNS.length) {
      batch.rejected++;
      batch.errors.push({
        line: rec.line,
        field: 'row',
        message: `has ${rec.fields.length} fields; expected ${IMPORT_COLUMNS.length} (${IMPORT_COLUMNS.join(',')})`,
      });
      return;
    }
    const checked = validateIntake(recordToIntakeBody(rec.fields, this.header!), {
      requiredConsents: [],
      today: this.today,
    });
    if (checked.ok) {
      // Sealed at once: the batch keeps one short string per row, not the plaintext.
      const staged = stageRow(this.vault, checked.value, batch.seen);
      if (staged) batch.rows.push(staged);
      else batch.duplicates++;
      return;
    }
    batch.rejected++;
    for (const e of checked.errors) batch.errors.push({ line: rec.line, field: columnOf(e), message: e.message });
  }

  /**
   * Queues the batch's commit behind the previous one (commits stay in file order, each with its
   * checkpoint). Its rows were validated and sealed as they were read, while the previous batch was
   * still being written.
   */
  private async flush(open: OpenBatch): Promise<void> {
    if (open.records === 0) return;
    const batch: ImportBatch = {
      records: open.records,
      rows: open.rows,
      duplicates: open.duplicates,
      rejected: open.rejected,
      errors: open.errors,
      lastLine: open.lastLine,
      bytes: open.bytes,
    };
    open.seen.clear();
    await this.inflight;
    const rowsBefore = this.committedRows;
    const errorRoom = Math.max(0, MAX_STORED_ERRORS - this.storedErrors);
    const progress = Math.min(99, Math.floor((100 * batch.bytes) / this.totalBytes));
    const write = this.writer.commit(batch, { rowsBefore, progress, errorRoom }).then(async () => {
      this.committedRows += batch.records;
      this.storedErrors += Math.min(errorRoom, batch.errors.length);
      await this.ctx.updateProgress(progress);
    });
    write.catch(() => undefined); // awaited by the next flush or at the end of the run
    this.inflight = write;
  }

  private async failWith(failure: string, error: Partial<ImportRowError> | undefined): Promise<void> {
    const entry = error
      ? [{ line: error.line ?? 0, field: error.field ?? 'file', message: error.message ?? failure }]
      : [];
    const room = this.storedErrors < MAX_STORED_ERRORS ? entry : [];
    await this.ds.query(
      `UPDATE imports SET status = 'failed', failure = $2, finished_at = now(),
              errors = errors || $3::jsonb, error_count = error_count + $4
        WHERE id = $1 AND status = 'running'`,
      [this.row.id, failure, JSON.stringify(room), entry.length],
    );
  }
}
