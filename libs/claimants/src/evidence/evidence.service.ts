import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  DomainError,
  FILE_STORAGE,
  NotFoundError,
  ValidationError,
  queryRows,
  sealStream,
  type AppConfig,
  type FileStorage,
} from '@app/platform';
import {
  AuditService,
  ReadAlarmService,
  Vault,
  isIntegrityFailure,
  openSealedObject,
  putSealedObject,
  type StaffPrincipal,
  requireAccessReason,
} from '@app/security';
import type { ClaimantPrincipal } from '../portal/portal.service';
import { EvidenceInspector } from './evidence-inspector';
import { EVIDENCE_EXTENSION, type EvidenceContentType } from './evidence-type';

/** Vault purpose of the wrapped per-file data keys. */
export const EVIDENCE_KEY_PURPOSE = 'evidence-file';

/** AAD of an evidence file: the object only decrypts as the file of this evidence row. */
export function evidenceAad(evidenceId: string): Buffer {
  return Buffer.from(`evidence-file\u0000${evidenceId}`, 'utf8');
}

/** An uploaded file already sealed in storage but not yet recorded (see {@link EvidenceService.commit}). */
export interface StagedEvidence {
  id: string;
  storageKey: string;
  dataKeyEnc: string;
  contentType: EvidenceContentType;
  sha256: string;
  bytes: number;
}

export interface EvidenceUploadResult {
  id: string;
  kind: string;
  sha256: string;
  bytes: number;
  status: 'pending';
}

export interface EvidenceReviewInput {
  decision: 'accepted' | 'rejected';
  reason: string;
  lossKrw?: number;
}

export interface EvidenceReviewView {
  id: string;
  kind: string;
  status: 'accepted' | 'rejected';
  reviewReason: string;
  lossKrw: number;
  reviewedBy: string;
  reviewedAt: string;
}

export interface EvidenceContent {
  body: Buffer;
  contentType: EvidenceContentType;
  fileName: string;
}

interface ClaimantUsage {
  status: string;
  evidence_kinds: string[];
  files: number;
  bytes: number;
}

/**
 * Evidence files: claimant uploads (typed by magic bytes, hashed while streaming, sealed with a
 * per-file data key wrapped by the vault), staff review, and audited downloads.
 */
/** The most secondary-harm loss one claimant's accepted evidence may prove, together (10^12 won). */
export const MAX_PROVEN_LOSS_KRW = 1_000_000_000_000;

@Injectable()
export class EvidenceService {
  private readonly log = new Logger(EvidenceService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly vault: Vault,
    private readonly audit: AuditService,
    private readonly alarm: ReadAlarmService,
  ) {}

  private async usage(db: Pick<DataSource, 'query'>, p: ClaimantPrincipal, lock: boolean): Promise<ClaimantUsage> {
    const rows = await db.query<{ status: string; evidence_kinds: string[] }[]>(
      `SELECT c.status, k.evidence_kinds FROM claimants c JOIN cases k ON k.id = c.case_id
        WHERE c.id = $1 AND c.firm_id = $2 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [p.claimantId, p.firmId],
    );
    if (!rows[0]) throw new NotFoundError('Claimant');
    const used = await db.query<{ files: number; bytes: number }[]>(
      `SELECT count(*)::int AS files, coalesce(sum(bytes), 0)::float8 AS bytes
         FROM evidence WHERE claimant_id = $1 AND deleted_at IS NULL`,
      [p.claimantId],
    );
    return { ...rows[0], files: used[0].files, bytes: used[0].bytes };
  }

  private assertCanAdd(u: ClaimantUsage, kind: string | undefined, addBytes: number): void {
    if (u.status === 'withdrawn') throw new DomainError('CONFLICT', 'This claim was withdrawn');
    if (kind !== undefined && !u.evidence_kinds.includes(kind)) {
      throw new ValidationError([{ field: 'kind', message: `must be one of: ${u.evidence_kinds.join(', ')}` }]);
    }
    const maxFiles = this.config.evidenceMaxFilesPerClaimant;
    const maxBytes = this.config.evidenceMaxBytesPerClaimant;
    if (u.files + 1 > maxFiles || u.bytes + addBytes > maxBytes || (addBytes === 0 && u.bytes >= maxBytes)) {
      throw new DomainError(
        'QUOTA_EXCEEDED',
        `Evidence quota reached: at most ${maxFiles} files and ${maxBytes} bytes per claimant`,
        [{ field: 'file', message: `${u.files} files and ${u.bytes} bytes already stored` }],
      );
    }
  }

  /**
   * Streams an upload into storage, sealed: type by magic bytes (PNG, JPEG, PDF), size limit, SHA-256
   * of the plaintext. Refusals that need no bytes (withdrawn, unknown kind when given, full quota)
   * come first. On any failure nothing remains stored. The caller records the result with
   * {@link commit} or removes it with {@link discard}.
   */
  async stage(
    p: ClaimantPrincipal,
    source: { stream: Readable; truncated?: () => boolean },
    kind?: string,
  ): Promise<StagedEvidence> {
    try {
      this.assertCanAdd(await this.usage(this.ds, p, false), kind, 0);
    } catch (err) {
      source.stream.resume();
      throw err;
    }
    const id = randomUUID();
    const inspector = new EvidenceInspector({ maxBytes: this.config.evidenceMaxBytes, truncated: source.truncated });
    const { storageKey, wrappedKey: dataKeyEnc } = await putSealedObject(
      this.vault,
      this.storage,
      {
        purpose: EVIDENCE_KEY_PURPOSE,
        ownerId: id,
        plaintext: [source.stream, inspector],
        seal: (dataKey) => sealStream(dataKey, evidenceAad(id)),
      },
      () => inspector.failure,
    );
    if (!inspector.contentType || !inspector.sha256) {
      await this.discard({ storageKey });
      throw new DomainError('UNSUPPORTED_FILE_TYPE', 'Only PNG, JPEG and PDF files are accepted');
    }
    return {
      id,
      storageKey,
      dataKeyEnc,
      contentType: inspector.contentType,
      sha256: inspector.sha256,
      bytes: inspector.bytes,
    };
  }

  /** Records a staged file as the claimant's evidence (rules re-checked under a lock), audited. */
  async commit(p: ClaimantPrincipal, staged: StagedEvidence, kind: string | undefined): Promise<EvidenceUploadResult> {
    if (kind === undefined || kind === '') throw new ValidationError([{ field: 'kind', message: 'kind is required' }]);
    await this.ds.transaction(async (tx) => {
      this.assertCanAdd(await this.usage(tx, p, true), kind, staged.bytes);
      await tx.query(
        `INSERT INTO evidence (id, firm_id, case_id, claimant_id, kind, content_type, bytes, sha256, storage_key, data_key_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          staged.id,
          p.firmId,
          p.caseId,
          p.claimantId,
          kind,
          staged.contentType,
          staged.bytes,
          staged.sha256,
          staged.storageKey,
          staged.dataKeyEnc,
        ],
      );
      await this.audit.record(tx, {
        firmId: p.firmId,
        actorType: 'claimant',
        actorId: p.claimantId,
        action: 'evidence.uploaded',
        subjectType: 'evidence',
        subjectId: staged.id,
        sourceIp: p.sourceIp,
        details: {
          claimantId: p.claimantId,
          kind,
          contentType: staged.contentType,
          bytes: staged.bytes,
          sha256: staged.sha256,
        },
        retention: 'access',
      });
    });
    return { id: staged.id, kind, sha256: staged.sha256, bytes: staged.bytes, status: 'pending' };
  }

  /** Removes a staged file that will not be recorded. */
  async discard(staged: Pick<StagedEvidence, 'storageKey'>): Promise<void> {
    await this.deleteFiles([staged.storageKey]);
  }

  /** Deletes stored files (after the rows are gone); failures are logged, never thrown. */
  async deleteFiles(storageKeys: readonly string[]): Promise<void> {
    for (const key of storageKeys) {
      try {
        await this.storage.delete(key);
      } catch (err) {
        this.log.warn(`could not delete stored evidence file ${key}: ${err instanceof Error ? err.name : 'error'}`);
      }
    }
  }

  /**
   * A staff decision on one file of the firm; `lossKrw` is the proven loss it shows (accepted only).
   * A claimant's accepted losses together stay within {@link MAX_PROVEN_LOSS_KRW}, so the claim
   * arithmetic (loss x up to 5) stays exact in both its TypeScript and its SQL form.
   */
  async review(actor: StaffPrincipal, id: string, input: EvidenceReviewInput): Promise<EvidenceReviewView> {
    const lossKrw = input.lossKrw ?? 0;
    if (input.decision === 'rejected' && lossKrw !== 0) {
      throw new ValidationError([{ field: 'lossKrw', message: 'a rejected file proves no loss (must be 0)' }]);
    }
    return this.ds.transaction(async (tx) => {
      // The claimant first, then the file (the order a merge takes them in): reviews of two files
      // of one claimant take turns, so their losses are summed one after the other.
      const owner = await tx.query<{ claimant_id: string | null }[]>(
        `SELECT claimant_id FROM evidence WHERE firm_id = $1 AND id = $2 AND deleted_at IS NULL`,
        [actor.firmId, id],
      );
      if (owner[0]?.claimant_id) {
        await tx.query(`SELECT 1 FROM claimants WHERE id = $1 FOR NO KEY UPDATE`, [owner[0].claimant_id]);
      }
      const rows = await tx.query<{ id: string; kind: string; status: string; claimant_id: string | null }[]>(
        `SELECT id, kind, status, claimant_id FROM evidence
          WHERE firm_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`,
        [actor.firmId, id],
      );
      const before = rows[0];
      if (!before) throw new NotFoundError('Evidence');
      if (before.claimant_id !== (owner[0]?.claimant_id ?? null)) {
        throw new DomainError('CONFLICT', 'The file moved to another claimant meanwhile (a merge); review it again');
      }
      if (lossKrw > 0 && before.claimant_id) {
        const others = await tx.query<{ total: string }[]>(
          `SELECT coalesce(sum(loss_krw), 0)::text AS total FROM evidence
            WHERE claimant_id = $1 AND id <> $2 AND status = 'accepted' AND deleted_at IS NULL`,
          [before.claimant_id, id],
        );
        if (BigInt(others[0].total) + BigInt(lossKrw) > BigInt(MAX_PROVEN_LOSS_KRW)) {
          throw new DomainError(
            'UNPROCESSABLE',
            'The proven losses of one claimant cannot exceed 1,000,000,000,000 won',
            [{ field: 'lossKrw', message: "with the claimant's other accepted files, exceeds 1,000,000,000,000 won" }],
          );
        }
      }
      const updated = await queryRows<{ reviewed_at: Date }>(
        tx,
        `UPDATE evidence SET status = $2, review_reason = $3, loss_krw = $4, reviewed_by = $5, reviewed_at = now()
          WHERE id = $1 RETURNING reviewed_at`,
        [id, input.decision, input.reason, lossKrw, actor.staffId],
      );
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'evidence.reviewed',
        subjectType: 'evidence',
        subjectId: id,
        reason: input.reason,
        sourceIp: actor.sourceIp,
        details: { claimantId: before.claimant_id, from: before.status, to: input.decision, lossKrw },
        retention: 'access',
      });
      return {
        id,
        kind: before.kind,
        status: input.decision,
        reviewReason: input.reason,
        lossKrw,
        reviewedBy: actor.staffId,
        reviewedAt: updated[0].reviewed_at.toISOString(),
      };
    });
  }

  /**
   * The decrypted file, for a staff member who gave a reason. The read is counted by the
   * read-volume alarm and audited with the reason. The whole file is decrypted in memory and
   * served only after the GCM tag and the SHA-256 recorded at upload both verify (files are small:
   * `EVIDENCE_MAX_BYTES`, 10 MB by default); a damaged or swapped file is refused with 409
   * INTEGRITY_CHECK_FAILED and the failure is audited.
   */
  async content(actor: StaffPrincipal, id: string, reason: string | undefined): Promise<EvidenceContent> {
    const why = requireAccessReason(reason, 'open this file');
    const rows = await this.ds.query<
      {
        claimant_id: string | null;
        reference: string | null;
        content_type: EvidenceContentType;
        bytes: string;
        sha256: string;
        storage_key: string;
        data_key_enc: string | null;
      }[]
    >(
      `SELECT e.claimant_id, c.reference, e.content_type, e.bytes, e.sha256, e.storage_key, e.data_key_enc
         FROM evidence e LEFT JOIN claimants c ON c.id = e.claimant_id
        WHERE e.firm_id = $1 AND e.id = $2 AND e.deleted_at IS NULL`,
      [actor.firmId, id],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('Evidence');
    await this.alarm.noteReads(actor, row.claimant_id ? [row.claimant_id] : []);
    let body: Buffer;
    try {
      body = await openSealedObject(this.vault, this.storage, {
        purpose: EVIDENCE_KEY_PURPOSE,
        ownerId: id,
        wrappedKey: row.data_key_enc,
        storageKey: row.storage_key,
        aad: evidenceAad(id),
        bytes: Number(row.bytes),
        sha256: row.sha256,
      });
    } catch (err) {
      if (isIntegrityFailure(err)) await this.integrityFailed(actor, id, row.claimant_id, err);
      throw err;
    }
    await this.audit.recordNow({
      firmId: actor.firmId,
      actorType: 'staff',
      actorId: actor.staffId,
      action: 'evidence.downloaded',
      subjectType: 'evidence',
      subjectId: id,
      reason: why,
      sourceIp: actor.sourceIp,
      details: { claimantId: row.claimant_id, bytes: body.length, contentType: row.content_type },
      retention: 'access',
    });
    const reference = (row.reference ?? 'case').replace(/[^A-Za-z0-9-]/g, '');
    return {
      body,
      contentType: row.content_type,
      fileName: `evidence-${reference}-${id.slice(0, 8)}.${EVIDENCE_EXTENSION[row.content_type]}`,
    };
  }

  private async integrityFailed(
    actor: StaffPrincipal,
    id: string,
    claimantId: string | null,
    err: Error,
  ): Promise<never> {
    this.log.warn(`evidence ${id} failed its integrity check (${err.name})`);
    await this.audit.recordNow({
      firmId: actor.firmId,
      actorType: 'staff',
      actorId: actor.staffId,
      action: 'evidence.integrity_failed',
      subjectType: 'evidence',
      subjectId: id,
      sourceIp: actor.sourceIp,
      details: { claimantId, error: err.name },
      retention: 'security',
    });
    throw new DomainError(
      'INTEGRITY_CHECK_FAILED',
      'The stored file failed its integrity check and was not served; the event was recorded',
    );
  }
}
