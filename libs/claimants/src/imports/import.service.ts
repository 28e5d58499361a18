import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { CaseService } from '@app/cases';
import {
  APP_CONFIG,
  DomainError,
  FILE_STORAGE,
  JobName,
  NotFoundError,
  ValidationError,
  enqueueJob,
  keysetAfter,
  keysetPage,
  keysetPositionSql,
  type AppConfig,
  type FileStorage,
  type KeysetPage,
} from '@app/platform';
import {
  AuditService,
  Vault,
  assertSessionStillLive,
  putSealedObject,
  type FirmScope,
  type StaffPrincipal,
} from '@app/security';
import { CsvUploadInspector } from './csv-upload-inspector';
import type { ImportRowError } from './import-writer';
import { sealSegmented } from './sealed-file';

/** Vault purpose of the wrapped per-file data keys of import files. */
export const IMPORT_KEY_PURPOSE = 'import-file';

/** AAD of an import file's segments: the object only opens as the file of this import. */
export function importFileContext(importId: string): string {
  return `import-file\u0000${importId}`;
}

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ImportView {
  id: string;
  caseId: string;
  status: ImportStatus;
  /** Data records read so far (inserted + duplicates + rejected). */
  rows: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  /** 0 to 100, by bytes of the file processed. */
  progress: number;
  /** The first 1,000 problems, in file order: CSV line, CSV column (or `row` / `file`), message. */
  errors: ImportRowError[];
  /** Every problem found (rows may have several). */
  errorCount: number;
  /** Problems found beyond those listed in `errors`. */
  moreErrors: number;
  /** Why the import failed (status `failed`), else null. */
  failure: string | null;
  bytes: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface ImportRow {
  id: string;
  case_id: string;
  status: ImportStatus;
  rows: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  progress: number;
  errors: ImportRowError[];
  error_count: number;
  failure: string | null;
  bytes: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const VIEW_COLUMNS = `id, case_id, status, rows, inserted, duplicates, rejected, progress, errors, error_count,
  failure, bytes, created_at, started_at, finished_at`;

function toView(r: ImportRow): ImportView {
  return {
    id: r.id,
    caseId: r.case_id,
    status: r.status,
    rows: r.rows,
    inserted: r.inserted,
    duplicates: r.duplicates,
    rejected: r.rejected,
    progress: r.progress,
    errors: r.errors,
    errorCount: r.error_count,
    moreErrors: Math.max(0, r.error_count - r.errors.length),
    failure: r.failure,
    bytes: Number(r.bytes),
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

/** An uploaded file as the HTTP layer hands it over. */
export interface ImportUpload {
  stream: Readable;
  /** True when the multipart parser cut the file at its size limit. */
  truncated: () => boolean;
}

/**
 * Bulk imports, the request side: the CSV is streamed into storage sealed under a per-file data
 * key (wrapped by the vault), and the import row, its `claimants.import` job (outbox) and the audit
 * event commit in one transaction. The job (ImportClaimantsHandler) does the rest.
 */
@Injectable()
export class ImportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly cases: CaseService,
    private readonly vault: Vault,
    private readonly audit: AuditService,
  ) {}

  async request(actor: StaffPrincipal, caseId: string, upload: ImportUpload): Promise<{ id: string }> {
    try {
      await this.cases.record(actor.firmId, caseId);
    } catch (err) {
      upload.stream.resume();
      throw err;
    }
    const id = randomUUID();
    const inspector = new CsvUploadInspector(this.config.importMaxBytes);
    const { storageKey, wrappedKey: dataKeyEnc } = await putSealedObject(
      this.vault,
      this.storage,
      {
        purpose: IMPORT_KEY_PURPOSE,
        ownerId: id,
        plaintext: [upload.stream, inspector],
        seal: (dataKey) => sealSegmented(dataKey, importFileContext(id)),
      },
      () => inspector.failure,
    );
    try {
      if (upload.truncated()) {
        throw new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than ${this.config.importMaxBytes} bytes`);
      }
      if (inspector.bytes === 0 || !inspector.sha256) {
        throw new ValidationError([{ field: 'file', message: 'the file is empty' }]);
      }
      const sha256 = inspector.sha256;
      await this.ds.transaction(async (tx) => {
        // The upload may have streamed for minutes: its sender must still be allowed to make it.
        await assertSessionStillLive(tx, actor);
        await tx.query(
          `INSERT INTO imports (id, firm_id, case_id, created_by, storage_key, data_key_enc, bytes, sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [id, actor.firmId, caseId, actor.staffId, storageKey, dataKeyEnc, inspector.bytes, sha256],
        );
        await enqueueJob(tx, JobName.ImportClaimants, { importId: id });
        await this.audit.record(tx, {
          firmId: actor.firmId,
          actorType: 'staff',
          actorId: actor.staffId,
          action: 'import.requested',
          subjectType: 'import',
          subjectId: id,
          sourceIp: actor.sourceIp,
          details: { caseId, bytes: inspector.bytes, sha256 },
          retention: 'access',
        });
      });
    } catch (err) {
      await this.storage.delete(storageKey).catch(() => undefined);
      throw err;
    }
    return { id };
  }

  async get(firmId: FirmScope, id: string): Promise<ImportView> {
    const rows = await this.ds.query<ImportRow[]>(
      `SELECT ${VIEW_COLUMNS} FROM imports WHERE id = $1 AND firm_id = $2`,
      [id, firmId],
    );
    if (!rows[0]) throw new NotFoundError('Import');
    return toView(rows[0]);
  }

  /** The case's imports, newest first (without their error lists), a page at a time. */
  async list(
    firmId: FirmScope,
    caseId: string,
    page: { limit: number; cursor?: string },
  ): Promise<KeysetPage<Omit<ImportView, 'errors' | 'moreErrors'>>> {
    await this.cases.record(firmId, caseId);
    const params: unknown[] = [caseId, firmId];
    const bind = (v: unknown): string => `$${params.push(v)}`;
    const after = page.cursor === undefined ? 'true' : keysetAfter(page.cursor, bind, 'i');
    const rows = await this.ds.query<(ImportRow & { created_us: string })[]>(
      `SELECT ${VIEW_COLUMNS.replace('errors,', "'[]'::jsonb AS errors,")}, ${keysetPositionSql('i')} AS created_us
         FROM imports i
        WHERE i.case_id = $1 AND i.firm_id = $2 AND ${after}
        ORDER BY i.created_at DESC, i.id DESC LIMIT ${bind(page.limit + 1)}`,
      params,
    );
    return keysetPage(rows, page.limit, (r) => {
      const view: Partial<ImportView> = toView(r);
      delete view.errors;
      delete view.moreErrors;
      return view as Omit<ImportView, 'errors' | 'moreErrors'>;
    });
  }
}
