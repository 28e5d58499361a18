import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CaseService } from '@app/cases';
import { DomainError, NotFoundError, keysetAfter, keysetPage, keysetPositionSql } from '@app/platform';
import { claimResultJoinSql, currentClaimGeneration } from '@app/claims';
import {
  AuditService,
  ReadAlarmService,
  Vault,
  normalizeEmail,
  normalizeName,
  phoneSearchKey,
  type FirmScope,
  type StaffPrincipal,
} from '@app/security';
import { BIDX, formatPhone, maskName, maskPhone, openClaimant, type EncryptedRow } from '../claimant-fields';
import { REFERENCE_PATTERN, normalizeReference } from '../intake/reference';
import { isClaimantStatus, type ClaimantStatus } from '../workflow/status';

export interface ClaimantListQuery {
  status?: ClaimantStatus;
  flag?: string;
  evidence?: 'none' | 'pending' | 'accepted' | 'rejected';
  q?: string;
  limit: number;
  cursor?: string;
}

export interface ClaimantListItem {
  id: string;
  reference: string;
  status: string;
  name: string;
  phone: string;
  flags: string[];
  evidence: { pending: number; accepted: number; rejected: number };
  claimAmountKrw: number | null;
  createdAt: string;
}

interface ListRow extends EncryptedRow {
  reference: string;
  status: string;
  created_at: Date;
  created_us: string;
  claim_amount_krw: string | null;
  flags: string[];
  ev_pending: number;
  ev_accepted: number;
  ev_rejected: number;
}

/** The paralegal's desk: lists (masked), details (decrypted and audited), statistics. */
@Injectable()
export class ClaimantDeskService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CaseService,
    private readonly vault: Vault,
    private readonly audit: AuditService,
    private readonly alarm: ReadAlarmService,
  ) {}

  /**
   * A page of the case's claimants, masked. A search (`q`) by phone, email or name asks whether a
   * given person is a claimant, so it is audited: the kind of search and how many it found, never
   * the term. Plain pages and searches by reference are not.
   */
  async list(
    actor: StaffPrincipal,
    caseId: string,
    q: ClaimantListQuery,
  ): Promise<{ items: ClaimantListItem[]; nextCursor: string | null }> {
    const firmId = actor.firmId;
    await this.cases.get(firmId, caseId);
    const params: unknown[] = [firmId, caseId];
    const where = ['c.firm_id = $1', 'c.case_id = $2', 'c.merged_into IS NULL'];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.status) where.push(`c.status = ${p(q.status)}`);
    if (q.flag) {
      where.push(
        `EXISTS (SELECT 1 FROM claimant_flags f WHERE f.claimant_id = c.id AND f.status = 'open' AND f.kind = ${p(q.flag)})`,
      );
    }
    if (q.evidence === 'none') {
      where.push(`NOT EXISTS (SELECT 1 FROM evidence e WHERE e.claimant_id = c.id AND e.deleted_at IS NULL)`);
    } else if (q.evidence) {
      where.push(
        `EXISTS (SELECT 1 FROM evidence e WHERE e.claimant_id = c.id AND e.deleted_at IS NULL AND e.status = ${p(q.evidence)})`,
      );
    }
    const search = q.q ? this.searchClause(q.q, p) : undefined;
    if (search) where.push(search.sql);
    if (q.cursor) where.push(keysetAfter(q.cursor, p, 'c'));
    const limit = p(q.limit + 1);
    const generation = await currentClaimGeneration(this.ds, caseId);
    const rows = await this.ds.query<ListRow[]>(
      `SELECT c.id, c.reference, c.status, c.name_enc, c.phone_enc, c.created_at, c.created_us,
              k.amount_krw AS claim_amount_krw,
              coalesce(fl.kinds, '{}') AS flags,
              coalesce(ev.pending, 0) AS ev_pending, coalesce(ev.accepted, 0) AS ev_accepted,
              coalesce(ev.rejected, 0) AS ev_rejected
         FROM (SELECT c.id, c.case_id, c.reference, c.status, c.name_enc, c.phone_enc, c.created_at,
                      ${keysetPositionSql('c')} AS created_us
                 FROM claimants c
                WHERE ${where.join(' AND ')}
                ORDER BY c.created_at DESC, c.id DESC
                LIMIT ${limit}) c
         ${claimResultJoinSql(generation, 'c', 'k')}
         LEFT JOIN LATERAL (SELECT array_agg(DISTINCT f.kind) AS kinds FROM claimant_flags f
                             WHERE f.claimant_id = c.id AND f.status = 'open') fl ON true
         LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE e.status = 'pending')::int AS pending,
                                   count(*) FILTER (WHERE e.status = 'accepted')::int AS accepted,
                                   count(*) FILTER (WHERE e.status = 'rejected')::int AS rejected
                              FROM evidence e WHERE e.claimant_id = c.id AND e.deleted_at IS NULL) ev ON true
        ORDER BY c.created_at DESC, c.id DESC`,
      params,
    );
    if (search && search.by !== 'reference') {
      await this.audit.recordNow({
        firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'claimant.searched',
        subjectType: 'case',
        subjectId: caseId,
        sourceIp: actor.sourceIp,
        details: { by: search.by, found: Math.min(rows.length, q.limit), page: q.cursor ? 'next' : 'first' },
        retention: 'access',
      });
    }
    return keysetPage(rows, q.limit, (r) => {
      const open = openClaimant(this.vault, { id: r.id, name_enc: r.name_enc, phone_enc: r.phone_enc });
      return {
        id: r.id,
        reference: r.reference,
        status: r.status,
        name: maskName(open.name),
        phone: maskPhone(open.phone),
        flags: r.flags,
        evidence: { pending: r.ev_pending, accepted: r.ev_accepted, rejected: r.ev_rejected },
        claimAmountKrw: r.claim_amount_krw === null ? null : Number(r.claim_amount_krw),
        createdAt: r.created_at.toISOString(),
      };
    });
  }

  /** `q` is a reference, a phone in any format, an email, or an exact name: all through blind indexes. */
  private searchClause(
    raw: string,
    p: (v: unknown) => string,
  ): { sql: string; by: 'reference' | 'phone' | 'email' | 'name' } {
    const q = raw.trim();
    if (REFERENCE_PATTERN.test(normalizeReference(q))) {
      return { sql: `c.reference = ${p(normalizeReference(q))}`, by: 'reference' };
    }
    const phone = phoneSearchKey(q);
    if (phone) {
      return {
        sql: `c.phone_bidx = ANY(${p(this.vault.blindIndexCandidates(BIDX.phone, phone))}::bytea[])`,
        by: 'phone',
      };
    }
    if (q.includes('@')) {
      const candidates = this.vault.blindIndexCandidates(BIDX.email, normalizeEmail(q));
      return { sql: `c.email_bidx = ANY(${p(candidates)}::bytea[])`, by: 'email' };
    }
    const candidates = this.vault.blindIndexCandidates(BIDX.name, normalizeName(q));
    return { sql: `c.name_bidx = ANY(${p(candidates)}::bytea[])`, by: 'name' };
  }

  /** Full detail, decrypted. The read is audited and counted by the read-volume alarm first. */
  async detail(actor: StaffPrincipal, caseId: string, id: string): Promise<Record<string, unknown>> {
    const generation = await currentClaimGeneration(this.ds, caseId);
    const rows = await this.ds.query<
      (EncryptedRow & {
        reference: string;
        status: string;
        source: string;
        exposed_data: string[];
        notice_received_on: string | null;
        declared_loss_krw: string;
        coupon_used: boolean | null;
        consents: unknown;
        attested_at: Date | null;
        claim_amount_krw: string | null;
        claim_breakdown: unknown;
        merged_into: string | null;
        erased_at: Date | null;
        created_at: Date;
      })[]
    >(
      `SELECT c.id, c.reference, c.status, c.source, c.name_enc, c.birth_date_enc, c.phone_enc, c.email_enc,
              c.address_enc, c.harms_enc, c.exposed_data, to_char(c.notice_received_on, 'YYYY-MM-DD') AS notice_received_on,
              c.declared_loss_krw, c.coupon_used, c.consents, c.attested_at, k.amount_krw AS claim_amount_krw,
              k.breakdown AS claim_breakdown, c.merged_into, c.erased_at, c.created_at
         FROM claimants c
         ${claimResultJoinSql(generation, 'c', 'k')}
        WHERE c.firm_id = $1 AND c.case_id = $2 AND c.id = $3`,
      [actor.firmId, caseId, id],
    );
    const r = rows[0];
    if (!r) throw new NotFoundError('Claimant');
    await this.alarm.noteReads(actor, [id]);
    await this.audit.recordNow({
      firmId: actor.firmId,
      actorType: 'staff',
      actorId: actor.staffId,
      action: 'claimant.read',
      subjectType: 'claimant',
      subjectId: id,
      sourceIp: actor.sourceIp,
      retention: 'access',
    });
    const personal = openClaimant(this.vault, r);
    const [flags, history, evidence] = await Promise.all([
      this.ds.query<Record<string, unknown>[]>(
        `SELECT f.id, f.kind, f.signal, f.status, f.matched_claimant_id AS "matchedClaimantId",
                m.reference AS "matchedReference", f.reason, f.created_at AS "createdAt"
           FROM claimant_flags f LEFT JOIN claimants m ON m.id = f.matched_claimant_id
          WHERE f.claimant_id = $1 ORDER BY f.created_at`,
        [id],
      ),
      this.history(id),
      this.ds.query<Record<string, unknown>[]>(
        `SELECT id, kind, content_type AS "contentType", bytes::float8 AS bytes, sha256, status, review_reason AS "reviewReason",
                loss_krw::float8 AS "lossKrw", created_at AS "createdAt"
           FROM evidence WHERE claimant_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
        [id],
      ),
    ]);
    return {
      id: r.id,
      reference: r.reference,
      status: r.status,
      source: r.source,
      name: personal.name ?? null,
      birthDate: personal.birthDate ?? null,
      phone: personal.phone ? formatPhone(personal.phone) : null,
      email: personal.email ?? null,
      address: personal.address ?? null,
      harms: personal.harms ?? [],
      exposedData: r.exposed_data,
      noticeReceivedOn: r.notice_received_on,
      declaredLossKrw: Number(r.declared_loss_krw),
      couponUsed: r.coupon_used,
      consents: r.consents,
      attestedAt: r.attested_at?.toISOString() ?? null,
      claimAmountKrw: r.claim_amount_krw === null ? null : Number(r.claim_amount_krw),
      claimBreakdown: r.claim_breakdown,
      claimRuleVersion: r.claim_amount_krw === null ? null : (generation?.ruleVersion ?? null),
      mergedInto: r.merged_into,
      erasedAt: r.erased_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
      flags,
      history,
      evidence,
    };
  }

  async history(
    claimantId: string,
  ): Promise<
    { from: string | null; to: string; actorType: string; actorId: string | null; reason: string | null; at: string }[]
  > {
    const rows = await this.ds.query<
      {
        from_status: string | null;
        to_status: string;
        actor_type: string;
        actor_id: string | null;
        reason: string | null;
        at: Date;
      }[]
    >(
      `SELECT from_status, to_status, actor_type, actor_id, reason, at FROM claimant_status_history
        WHERE claimant_id = $1 ORDER BY id`,
      [claimantId],
    );
    return rows.map((h) => ({
      from: h.from_status,
      to: h.to_status,
      actorType: h.actor_type,
      actorId: h.actor_id,
      reason: h.reason,
      at: h.at.toISOString(),
    }));
  }

  async statistics(firmId: FirmScope, caseId: string): Promise<Record<string, unknown>> {
    await this.cases.get(firmId, caseId);
    const [byStatus, byFlag, perDay, total] = await Promise.all([
      this.ds.query<{ status: string; n: number }[]>(
        `SELECT status, count(*)::int AS n FROM claimants WHERE firm_id = $1 AND case_id = $2 AND merged_into IS NULL GROUP BY status`,
        [firmId, caseId],
      ),
      this.ds.query<{ kind: string; n: number }[]>(
        `SELECT kind, count(DISTINCT claimant_id)::int AS n FROM claimant_flags
          WHERE firm_id = $1 AND case_id = $2 AND status = 'open' GROUP BY kind`,
        [firmId, caseId],
      ),
      this.ds.query<{ day: string; n: number }[]>(
        `SELECT to_char((created_at AT TIME ZONE 'Asia/Seoul')::date, 'YYYY-MM-DD') AS day, count(*)::int AS n
           FROM claimants WHERE firm_id = $1 AND case_id = $2 AND created_at > now() - interval '60 days'
          GROUP BY 1 ORDER BY 1`,
        [firmId, caseId],
      ),
      this.ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM claimants WHERE firm_id = $1 AND case_id = $2 AND merged_into IS NULL`,
        [firmId, caseId],
      ),
    ]);
    return {
      claimants: total[0]?.n ?? 0,
      byStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
      byFlag: Object.fromEntries(byFlag.map((r) => [r.kind, r.n])),
      submissionsPerDay: perDay.map((r) => ({ date: r.day, count: r.n })),
    };
  }

  static parseStatus(v: string | undefined): ClaimantStatus | undefined {
    if (v === undefined) return undefined;
    if (!isClaimantStatus(v))
      throw new DomainError('VALIDATION_FAILED', 'Unknown status', [{ field: 'status', message: 'unknown status' }]);
    return v;
  }
}
