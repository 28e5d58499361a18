import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  claimResultJoinSql,
  CourtFeeSchedules,
  computeCourtFees,
  currentClaimGeneration,
  type ClaimGeneration,
  type CourtFees,
  type ServiceCountMode,
} from '@app/claims';
import { CaseService } from '@app/cases';
import { todayInKorea } from '@app/claimants';
import {
  DomainError,
  FILE_STORAGE,
  JobName,
  NotFoundError,
  ValidationError,
  enqueueJob,
  keysetAfter,
  keysetPage,
  keysetPositionSql,
  type FileStorage,
  type KeysetPage,
} from '@app/platform';
import {
  AuditService,
  ReadAlarmService,
  Vault,
  isIntegrityFailure,
  openSealedObject,
  type FirmScope,
  type StaffPrincipal,
  requireAccessReason,
} from '@app/security';
import { DEFAULT_CLAIM_TEXT_TEMPLATE, DEFAULT_CLAIM_TEXT_VALUES, fillTemplate } from '../render/claim-text';
import { FirmCounselService, counselInfo } from './firm-counsel.service';
import { PERSONAL_KINDS, asciiFileName, type DocumentKind } from './filing-documents';
import { FILING_DOCUMENT_KEY_PURPOSE, filingDocumentAad } from './filing-document-store';
import type { FilingRenderInput } from './filing-render-input';

export const FILING_STATUSES = ['queued', 'rendering', 'ready', 'failed'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

/** Default start of the 5% interest period: the day Coupang disclosed the breach (domain.md §1). */
export const DEFAULT_INTEREST_START_DATE = '2025-11-29';
/** Most claimants one `claimantIds` selection may name (1 MB body; larger batches: select by status). */
export const MAX_SELECTED_IDS = 20_000;

export type FilingSelection = { status: 'approved' } | { claimantIds: string[] };

export interface FilingCreateInput {
  label: string;
  selection: FilingSelection;
  eFiling: boolean;
  court?: string;
  serviceCount?: ServiceCountMode;
}

export interface FilingTotals {
  plaintiffs: number;
  claimValueKrw: number;
  division: string;
  stampDutyKrw: number;
  serviceFeeKrw: number;
}

export interface FilingDocumentView {
  id: string;
  kind: DocumentKind;
  volume: number;
  volumes: number;
  fileName: string;
  contentType: string;
  pages: number | null;
  bytes: number;
  sha256: string;
}

export interface FilingView {
  id: string;
  caseId: string;
  label: string;
  status: FilingStatus;
  progress: number;
  failure?: string;
  eFiling: boolean;
  court: string;
  serviceCount: ServiceCountMode;
  totals: FilingTotals;
  createdAt: string;
  readyAt: string | null;
  documents: FilingDocumentView[];
}

export type FilingListItem = Omit<FilingView, 'documents'>;

export interface FilingDocumentContent {
  body: Buffer;
  contentType: string;
  fileName: string;
  asciiFileName: string;
}

export interface FilingRow {
  id: string;
  firm_id: string;
  case_id: string;
  label: string;
  status: FilingStatus;
  progress: number;
  failure: string | null;
  e_filing: boolean;
  court: string;
  service_count: ServiceCountMode;
  plaintiffs: number;
  claim_value_krw: string;
  division: string;
  stamp_duty_krw: string;
  service_fee_krw: string;
  render_input: FilingRenderInput;
  created_by: string;
  created_at: Date;
  ready_at: Date | null;
}

interface DocumentRow {
  id: string;
  kind: DocumentKind;
  volume: number;
  volumes: number;
  file_name: string;
  content_type: string;
  pages: number | null;
  bytes: string;
  sha256: string;
}

function won(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new RangeError('amount exceeds the safe integer range');
  return n;
}

function toItem(r: FilingRow): FilingListItem {
  return {
    id: r.id,
    caseId: r.case_id,
    label: r.label,
    status: r.status,
    progress: r.progress,
    ...(r.failure ? { failure: r.failure } : {}),
    eFiling: r.e_filing,
    court: r.court,
    serviceCount: r.service_count,
    totals: {
      plaintiffs: r.plaintiffs,
      claimValueKrw: won(r.claim_value_krw),
      division: r.division,
      stampDutyKrw: won(r.stamp_duty_krw),
      serviceFeeKrw: won(r.service_fee_krw),
    },
    createdAt: r.created_at.toISOString(),
    readyAt: r.ready_at?.toISOString() ?? null,
  };
}

function toDocument(d: DocumentRow): FilingDocumentView {
  return {
    id: d.id,
    kind: d.kind,
    volume: d.volume,
    volumes: d.volumes,
    fileName: d.file_name,
    contentType: d.content_type,
    pages: d.pages,
    bytes: Number(d.bytes),
    sha256: d.sha256,
  };
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && name === constraint;
}

const ALREADY_OPEN = (): DomainError =>
  new DomainError('ALREADY_IN_OPEN_FILING', 'A selected claimant is already a plaintiff of an open filing');

/**
 * Filing batches: freezing a selection of approved claimants (numbers and amounts) with its court
 * fees and the render job in one transaction, reading filings, and audited document downloads.
 */
@Injectable()
export class FilingService {
  private readonly log = new Logger(FilingService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly cases: CaseService,
    private readonly counsel: FirmCounselService,
    private readonly vault: Vault,
    private readonly audit: AuditService,
    private readonly alarm: ReadAlarmService,
    private readonly feeSchedules: CourtFeeSchedules,
  ) {}

  async create(
    actor: StaffPrincipal,
    caseId: string,
    input: FilingCreateInput,
  ): Promise<{ id: string; status: 'queued' }> {
    const kase = await this.cases.get(actor.firmId, caseId);
    const label = input.label.normalize('NFC').trim();
    if (label.length === 0) throw new ValidationError([{ field: 'label', message: 'must not be empty' }]);
    const court = (input.court ?? kase.court).normalize('NFC').trim();
    if (court.length === 0) throw new ValidationError([{ field: 'court', message: 'must not be empty' }]);
    const serviceCount: ServiceCountMode = input.serviceCount ?? 'all-parties';
    const ids = 'claimantIds' in input.selection ? [...new Set(input.selection.claimantIds)] : undefined;
    if (ids && ids.length === 0) {
      throw new DomainError('UNPROCESSABLE', 'The selection is empty: name at least one claimant');
    }
    if (ids && ids.length > MAX_SELECTED_IDS) {
      throw new ValidationError([
        { field: 'selection.claimantIds', message: `at most ${MAX_SELECTED_IDS}; select by status instead` },
      ]);
    }

    const id = randomUUID();
    await this.ds.transaction(async (tx) => {
      // The amounts come from the case's current claim generation, held (FOR SHARE) until this
      // commits so a recompute cannot replace it between the checks and the freeze.
      const generation = await currentClaimGeneration(tx, caseId, { lock: true });
      const expected = ids
        ? await this.checkSelectedIds(tx, actor.firmId, caseId, ids, generation)
        : await this.checkApproved(tx, actor.firmId, caseId, generation);
      const counsel = await this.counsel.get(actor.firmId, tx);
      // Placeholder totals; the real ones are computed from the frozen rows below.
      await tx.query(
        `INSERT INTO filings (id, firm_id, case_id, label, e_filing, court, service_count, plaintiffs,
                              claim_value_krw, division, stamp_duty_krw, service_fee_krw, render_input, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 'small', 0, 0, '{}'::jsonb, $9)`,
        [id, actor.firmId, caseId, label, input.eFiling, court, serviceCount, expected, actor.staffId],
      );
      const frozen = await this.freeze(tx, actor.firmId, caseId, id, ids, generation);
      if (frozen.plaintiffs !== expected) {
        throw new DomainError('CONFLICT', 'The selection changed while the filing was being created; try again');
      }
      // The schedule in force on the filing date (COURT_FEE_SCHEDULES_FILE can add newer ones).
      const filingDate = todayInKorea();
      let fees: CourtFees;
      try {
        fees = computeCourtFees(
          {
            claimValueKrw: frozen.claimValueKrw,
            plaintiffs: frozen.plaintiffs,
            defendants: 1,
            eFiling: input.eFiling,
            serviceCount,
          },
          this.feeSchedules.forDate(filingDate),
        );
      } catch (err) {
        throw new DomainError('UNPROCESSABLE', `Court fees cannot be computed for this selection (${String(err)})`);
      }
      const settings = kase.settings ?? {};
      let claimText: string;
      try {
        claimText = fillTemplate(settings.claimTextTemplate ?? DEFAULT_CLAIM_TEXT_TEMPLATE, {
          ...DEFAULT_CLAIM_TEXT_VALUES,
          defendant: kase.defendant.name,
          plaintiffCount: frozen.plaintiffs,
          court,
        });
      } catch (err) {
        throw new DomainError('UNPROCESSABLE', `The case's claim text template cannot be filled: ${String(err)}`);
      }
      const renderInput: FilingRenderInput = {
        court,
        counsel: counselInfo(counsel),
        defendant: kase.defendant,
        interestStartDate: settings.interestStartDate ?? DEFAULT_INTEREST_START_DATE,
        filingDate,
        claimText,
        caseEvidence: settings.caseEvidence ?? [],
      };
      await tx.query(
        `UPDATE filings SET claim_value_krw = $2, division = $3, stamp_duty_krw = $4, service_fee_krw = $5,
                            render_input = $6::jsonb
          WHERE id = $1`,
        [id, fees.claimValueKrw, fees.division, fees.stampDutyKrw, fees.serviceFeeKrw, JSON.stringify(renderInput)],
      );
      await enqueueJob(tx, JobName.RenderFiling, { filingId: id });
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'filing.created',
        subjectType: 'filing',
        subjectId: id,
        sourceIp: actor.sourceIp,
        details: {
          caseId,
          selection: ids ? 'claimantIds' : 'status',
          plaintiffs: frozen.plaintiffs,
          claimValueKrw: fees.claimValueKrw,
          stampDutyKrw: fees.stampDutyKrw,
          serviceFeeKrw: fees.serviceFeeKrw,
          eFiling: input.eFiling,
        },
        retention: 'access',
      });
    });
    return { id, status: 'queued' };
  }

  /** Every named claimant must be of this case, approved, outside open filings and have an amount. */
  private async checkSelectedIds(
    tx: EntityManager,
    firmId: FirmScope,
    caseId: string,
    ids: string[],
    generation: ClaimGeneration | null,
  ): Promise<number> {
    const rows = await tx.query<
      { total: number; found: number; in_open: number; not_approved: number; no_amount: number }[]
    >(
      `SELECT cardinality($3::uuid[]) AS total,
              count(c.id)::int AS found,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM filing_plaintiffs fp WHERE fp.claimant_id = c.id AND fp.open))::int AS in_open,
              count(*) FILTER (WHERE c.status <> 'approved')::int AS not_approved,
              count(*) FILTER (WHERE k.amount_krw IS NULL)::int AS no_amount
         FROM claimants c
         ${claimResultJoinSql(generation, 'c', 'k')}
        WHERE c.firm_id = $1 AND c.case_id = $2 AND c.id = ANY($3::uuid[]) AND c.merged_into IS NULL`,
      [firmId, caseId, ids],
    );
    const r = rows[0];
    if (r.found !== r.total) {
      throw new DomainError('NOT_FOUND', `${r.total - r.found} of the selected claimants were not found in this case`);
    }
    if (r.in_open > 0) {
      throw new DomainError(
        'ALREADY_IN_OPEN_FILING',
        `${r.in_open} of the selected claimants are already plaintiffs of an open filing`,
      );
    }
    if (r.not_approved > 0) {
      throw new DomainError(
        'INVALID_TRANSITION',
        `${r.not_approved} of the selected claimants are not approved; only approved claimants can be filed`,
      );
    }
    if (r.no_amount > 0) throw this.noAmount(r.no_amount);
    return r.total;
  }

  /** The approved, non-merged claimants of the case outside open filings. */
  private async checkApproved(
    tx: EntityManager,
    firmId: FirmScope,
    caseId: string,
    generation: ClaimGeneration | null,
  ): Promise<number> {
    const rows = await tx.query<{ total: number; no_amount: number }[]>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE k.amount_krw IS NULL)::int AS no_amount
         FROM claimants c
         ${claimResultJoinSql(generation, 'c', 'k')}
        WHERE c.firm_id = $1 AND c.case_id = $2 AND c.status = 'approved' AND c.merged_into IS NULL
          AND NOT EXISTS (SELECT 1 FROM filing_plaintiffs fp WHERE fp.claimant_id = c.id AND fp.open)`,
      [firmId, caseId],
    );
    const r = rows[0];
    if (r.total === 0) {
      throw new DomainError('UNPROCESSABLE', 'The selection is empty: no approved claimants outside open filings');
    }
    if (r.no_amount > 0) throw this.noAmount(r.no_amount);
    return r.total;
  }

  private noAmount(count: number): DomainError {
    return new DomainError(
      'CLAIM_AMOUNT_MISSING',
      `${count} of the selected claimants have no computed claim amount: run the claims recompute ` +
        `(POST /cases/:caseId/claims/recompute) and file again`,
    );
  }

  /**
   * Copies the selection into filing_plaintiffs, numbered 1.. in a stable order (created_at, id),
   * with the stored claim amounts. The partial unique index turns a race with another filing into
   * 409. Claimant rows are not locked here (a share lock dirties every row and would only delay a
   * concurrent withdrawal, not prevent it): the render job moves them to `filed` when it starts
   * rendering, in a transaction it commits once the documents are stored (see FiledMove). A
   * plaintiff who left `approved` before that makes the job fail the filing; one who tries to leave
   * afterwards waits for the filing and then finds the claimant filed (or gets 409 RECORD_BUSY).
   */
  private async freeze(
    tx: EntityManager,
    firmId: FirmScope,
    caseId: string,
    filingId: string,
    ids: string[] | undefined,
    generation: ClaimGeneration | null,
  ): Promise<{ plaintiffs: number; claimValueKrw: number }> {
    const params: unknown[] = [filingId, firmId, caseId];
    let filter = `AND NOT EXISTS (SELECT 1 FROM filing_plaintiffs fp WHERE fp.claimant_id = c.id AND fp.open)`;
    if (ids) {
      params.push(ids);
      filter = `AND c.id = ANY($4::uuid[])`;
    }
    try {
      await tx.query(
        `INSERT INTO filing_plaintiffs (filing_id, claimant_id, number, amount_krw, open)
         SELECT $1, s.id, row_number() OVER (ORDER BY s.created_at, s.id), s.amount_krw, true
           FROM (SELECT c.id, c.created_at, k.amount_krw FROM claimants c
                   ${claimResultJoinSql(generation, 'c', 'k', 'INNER')}
                  WHERE c.firm_id = $2 AND c.case_id = $3 AND c.status = 'approved' AND c.merged_into IS NULL
                    ${filter}) s`,
        params,
      );
    } catch (err) {
      if (isUniqueViolation(err, 'filing_plaintiffs_open_claimant_uq')) throw ALREADY_OPEN();
      throw err;
    }
    const totals = await tx.query<{ plaintiffs: number; total: string }[]>(
      `SELECT count(*)::int AS plaintiffs, coalesce(sum(amount_krw), 0)::text AS total
         FROM filing_plaintiffs WHERE filing_id = $1`,
      [filingId],
    );
    const claimValueKrw = Number(totals[0].total);
    if (!Number.isSafeInteger(claimValueKrw)) {
      throw new DomainError(
        'UNPROCESSABLE',
        'The selected claims add up to more than can be computed exactly; file fewer',
      );
    }
    return { plaintiffs: totals[0].plaintiffs, claimValueKrw };
  }

  private async row(firmId: FirmScope, id: string): Promise<FilingRow> {
    const rows = await this.ds.query<FilingRow[]>(`SELECT * FROM filings WHERE firm_id = $1 AND id = $2`, [firmId, id]);
    if (!rows[0]) throw new NotFoundError('Filing');
    return rows[0];
  }

  async get(firmId: FirmScope, id: string): Promise<FilingView> {
    const filing = await this.row(firmId, id);
    const docs = await this.ds.query<DocumentRow[]>(
      `SELECT id, kind, volume, volumes, file_name, content_type, pages, bytes, sha256
         FROM filing_documents WHERE filing_id = $1
        ORDER BY array_position(ARRAY['complaint','plaintiff-list','claim-table','evidence-list',
                                      'party-list-xlsx','party-list-csv','manifest'], kind), volume`,
      [id],
    );
    // Documents are the filing's only once it is ready: a rendering or failed filing lists none.
    return { ...toItem(filing), documents: filing.status === 'ready' ? docs.map(toDocument) : [] };
  }

  /** The case's filings, newest first, a page at a time (`nextCursor` while more remain). */
  async list(
    firmId: FirmScope,
    caseId: string,
    page: { limit: number; cursor?: string },
  ): Promise<KeysetPage<FilingListItem>> {
    await this.cases.get(firmId, caseId);
    const params: unknown[] = [firmId, caseId];
    const bind = (v: unknown): string => `$${params.push(v)}`;
    const after = page.cursor === undefined ? 'true' : keysetAfter(page.cursor, bind, 'f');
    const rows = await this.ds.query<(FilingRow & { created_us: string })[]>(
      `SELECT f.*, ${keysetPositionSql('f')} AS created_us FROM filings f WHERE f.firm_id = $1 AND f.case_id = $2 AND ${after}
        ORDER BY f.created_at DESC, f.id DESC LIMIT ${bind(page.limit + 1)}`,
      params,
    );
    return keysetPage(rows, page.limit, toItem);
  }

  /**
   * A document, decrypted, for a staff member who gave a reason. Served only after the GCM tag and
   * the recorded SHA-256 verify; audited with the reason and the number of people in it.
   *
   * Read-volume alarm: a document with plaintiffs' personal data counts as ONE export of the filing
   * (member `filing:<id>`), however many plaintiffs it names and however often it is fetched. Counting
   * every plaintiff would suspend the paralegal on the first download of any filing above
   * READ_ALARM_THRESHOLD people (500 by default): the product's core task would trip the alarm. The
   * filing itself is the control: its selection was frozen by an audited, permissioned action, each
   * download is audited with its reason and head count, and pulling many different filings in a
   * window still trips the alarm. The complaint and the manifest name nobody and are not counted.
   */
  async download(
    actor: StaffPrincipal,
    filingId: string,
    documentId: string,
    reason: string | undefined,
  ): Promise<FilingDocumentContent> {
    const why = requireAccessReason(reason, 'download this document');
    const rows = await this.ds.query<
      (DocumentRow & {
        storage_key: string;
        data_key_enc: string;
        plaintiffs: number;
        case_id: string;
        status: string;
      })[]
    >(
      `SELECT d.id, d.kind, d.volume, d.volumes, d.file_name, d.content_type, d.pages, d.bytes, d.sha256,
              d.storage_key, d.data_key_enc, f.plaintiffs, f.case_id, f.status
         FROM filing_documents d JOIN filings f ON f.id = d.filing_id
        WHERE f.firm_id = $1 AND f.id = $2 AND d.id = $3`,
      [actor.firmId, filingId, documentId],
    );
    const doc = rows[0];
    if (!doc) throw new NotFoundError('Document');
    if (doc.status !== 'ready') {
      throw new DomainError('CONFLICT', 'The filing is not ready: its documents can be downloaded once it is');
    }
    const personal = PERSONAL_KINDS.includes(doc.kind);
    if (personal) await this.alarm.noteReads(actor, [`filing:${filingId}`]);
    let body: Buffer;
    try {
      body = await openSealedObject(this.vault, this.storage, {
        purpose: FILING_DOCUMENT_KEY_PURPOSE,
        ownerId: doc.id,
        wrappedKey: doc.data_key_enc,
        storageKey: doc.storage_key,
        aad: filingDocumentAad(doc.id),
        bytes: Number(doc.bytes),
        sha256: doc.sha256,
      });
    } catch (err) {
      if (isIntegrityFailure(err)) await this.integrityFailed(actor, filingId, doc.id, err);
      throw err;
    }
    await this.audit.recordNow({
      firmId: actor.firmId,
      actorType: 'staff',
      actorId: actor.staffId,
      action: 'filing.document_downloaded',
      subjectType: 'filing_document',
      subjectId: doc.id,
      reason: why,
      sourceIp: actor.sourceIp,
      details: {
        filingId,
        caseId: doc.case_id,
        kind: doc.kind,
        volume: doc.volume,
        bytes: body.length,
        sha256: doc.sha256,
        // people whose data left the system with this file
        people: personal ? doc.plaintiffs : 0,
      },
      retention: 'access',
    });
    return {
      body,
      contentType: doc.content_type,
      fileName: doc.file_name,
      asciiFileName: asciiFileName(doc.kind, doc.volume, doc.volumes),
    };
  }

  private async integrityFailed(
    actor: StaffPrincipal,
    filingId: string,
    documentId: string,
    err: Error,
  ): Promise<never> {
    this.log.warn(`filing document ${documentId} failed its integrity check (${err.name})`);
    await this.audit.recordNow({
      firmId: actor.firmId,
      actorType: 'staff',
      actorId: actor.staffId,
      action: 'filing.document_integrity_failed',
      subjectType: 'filing_document',
      subjectId: documentId,
      sourceIp: actor.sourceIp,
      details: { filingId, error: err.name },
      retention: 'security',
    });
    throw new DomainError(
      'INTEGRITY_CHECK_FAILED',
      'The stored document failed its integrity check and was not served; the event was recorded',
    );
  }
}
