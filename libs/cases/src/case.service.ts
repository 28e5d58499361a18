import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { validateClaimRules, type ClaimRules } from '@app/claims';
import { DomainError, NotFoundError, ValidationError, queryRows } from '@app/platform';
import { AuditService, type FirmScope, type StaffPrincipal } from '@app/security';
import { DEFAULT_CONSENTS, DEFAULT_EVIDENCE_KINDS, type ConsentText } from './default-consents';

export interface Defendant {
  name: string;
  address: string;
  representative: string;
}

export interface CaseSettings {
  /** 청구취지: the date interest runs from (YYYY-MM-DD). */
  interestStartDate?: string;
  /** 청구원인 template with {{placeholders}}; the default breach text when absent. */
  claimTextTemplate?: string;
  /** Case-level evidence (갑 제1호증, ...), by label. */
  caseEvidence?: string[];
}

export interface CaseInput {
  slug: string;
  title: string;
  court: string;
  defendant: Defendant;
  claimRules: Omit<ClaimRules, 'version'>;
  intakeOpen: boolean;
  evidenceKinds?: string[];
  consents?: ConsentText[];
  settings?: CaseSettings;
}

export type CasePatch = Partial<Omit<CaseInput, 'slug'>>;

export interface CaseView {
  id: string;
  slug: string;
  title: string;
  court: string;
  defendant: Defendant;
  claimRules: ClaimRules;
  intakeOpen: boolean;
  evidenceKinds: string[];
  consents: ConsentText[];
  settings: CaseSettings;
  createdAt: string;
  updatedAt: string;
}

export interface PublicCaseView {
  slug: string;
  title: string;
  court: string;
  intakeOpen: boolean;
  consents: Omit<ConsentText, 'title'>[] & { title?: string }[];
  evidenceKinds: string[];
}

interface CaseRow {
  id: string;
  firm_id: string;
  slug: string;
  title: string;
  court: string;
  defendant: Defendant;
  intake_open: boolean;
  evidence_kinds: string[];
  consents: ConsentText[];
  settings: CaseSettings;
  rule_version: number;
  rules: ClaimRules;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT c.*, r.rules FROM cases c
  JOIN case_rule_versions r ON r.case_id = c.id AND r.version = c.rule_version`;

function toView(r: CaseRow): CaseView {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    court: r.court,
    defendant: r.defendant,
    claimRules: r.rules,
    intakeOpen: r.intake_open,
    evidenceKinds: r.evidence_kinds,
    consents: r.consents,
    settings: r.settings,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface CaseRecord extends CaseView {
  firmId: FirmScope;
}

@Injectable()
export class CaseService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  private checkRules(rules: Omit<ClaimRules, 'version'>, version: number): ClaimRules {
    const checked = validateClaimRules({ ...rules, version });
    if (!checked.ok) {
      throw new ValidationError(checked.errors.map((e) => ({ field: `claimRules.${e.field}`, message: e.message })));
    }
    return checked.rules;
  }

  private checkConsents(consents: ConsentText[]): void {
    for (const required of DEFAULT_CONSENTS.filter((c) => c.required)) {
      if (!consents.some((c) => c.key === required.key && c.required)) {
        throw new ValidationError([
          { field: 'consents', message: `must include the required consent "${required.key}"` },
        ]);
      }
    }
  }

  async create(actor: StaffPrincipal, input: CaseInput): Promise<CaseView> {
    const rules = this.checkRules(input.claimRules, 1);
    const consents = input.consents ?? [...DEFAULT_CONSENTS];
    this.checkConsents(consents);
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }[]>(
        `INSERT INTO cases (firm_id, slug, title, court, defendant, intake_open, evidence_kinds, consents, settings)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9::jsonb)
         ON CONFLICT (slug) DO NOTHING RETURNING id`,
        [
          actor.firmId,
          input.slug,
          input.title,
          input.court,
          JSON.stringify(input.defendant),
          input.intakeOpen,
          input.evidenceKinds ?? [...DEFAULT_EVIDENCE_KINDS],
          JSON.stringify(consents),
          JSON.stringify(input.settings ?? {}),
        ],
      );
      const id = rows[0]?.id;
      if (!id) throw new DomainError('CONFLICT', 'This slug is already taken');
      await tx.query(
        `INSERT INTO case_rule_versions (case_id, version, rules, created_by) VALUES ($1, 1, $2::jsonb, $3)`,
        [id, JSON.stringify(rules), actor.staffId],
      );
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'case.created',
        subjectType: 'case',
        subjectId: id,
        sourceIp: actor.sourceIp,
        retention: 'rights',
      });
      return this.getIn(tx, actor.firmId, id);
    });
  }

  async list(firmId: FirmScope): Promise<CaseView[]> {
    const rows = await this.ds.query<CaseRow[]>(`${SELECT} WHERE c.firm_id = $1 ORDER BY c.created_at, c.id`, [firmId]);
    return rows.map(toView);
  }

  /** 404 unless the case exists in this firm (cheaper than `get` on hot paths). */
  async assertExists(firmId: FirmScope, id: string): Promise<void> {
    const rows = await this.ds.query<unknown[]>(`SELECT 1 FROM cases WHERE firm_id = $1 AND id = $2`, [firmId, id]);
    if (rows.length === 0) throw new NotFoundError('Case');
  }

  get(firmId: FirmScope, id: string): Promise<CaseView> {
    return this.getIn(this.ds.manager, firmId, id);
  }

  private async getIn(db: EntityManager, firmId: FirmScope, id: string): Promise<CaseView> {
    const rows = await db.query<CaseRow[]>(`${SELECT} WHERE c.firm_id = $1 AND c.id = $2`, [firmId, id]);
    if (!rows[0]) throw new NotFoundError('Case');
    return toView(rows[0]);
  }

  /** Changing the claim rules creates a new rule version; earlier results keep naming theirs. */
  async update(actor: StaffPrincipal, id: string, patch: CasePatch): Promise<CaseView> {
    const updated = await this.ds.transaction(async (tx) => {
      const current = await tx.query<CaseRow[]>(
        `SELECT c.*, NULL AS rules FROM cases c WHERE c.firm_id = $1 AND c.id = $2 FOR UPDATE`,
        [actor.firmId, id],
      );
      const row = current[0];
      if (!row) throw new NotFoundError('Case');
      let ruleVersion = row.rule_version;
      if (patch.claimRules) {
        ruleVersion += 1;
        const rules = this.checkRules(patch.claimRules, ruleVersion);
        await tx.query(
          `INSERT INTO case_rule_versions (case_id, version, rules, created_by) VALUES ($1, $2, $3::jsonb, $4)`,
          [id, ruleVersion, JSON.stringify(rules), actor.staffId],
        );
      }
      if (patch.consents) this.checkConsents(patch.consents);
      await queryRows(
        tx,
        `UPDATE cases SET
           title = coalesce($3, title), court = coalesce($4, court), defendant = coalesce($5::jsonb, defendant),
           intake_open = coalesce($6, intake_open), evidence_kinds = coalesce($7, evidence_kinds),
           consents = coalesce($8::jsonb, consents), settings = coalesce($9::jsonb, settings),
           rule_version = $10, updated_at = now()
         WHERE firm_id = $1 AND id = $2`,
        [
          actor.firmId,
          id,
          patch.title ?? null,
          patch.court ?? null,
          patch.defendant ? JSON.stringify(patch.defendant) : null,
          patch.intakeOpen ?? null,
          patch.evidenceKinds ?? null,
          patch.consents ? JSON.stringify(patch.consents) : null,
          patch.settings ? JSON.stringify(patch.settings) : null,
          ruleVersion,
        ],
      );
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'case.updated',
        subjectType: 'case',
        subjectId: id,
        sourceIp: actor.sourceIp,
        details: { fields: Object.keys(patch), ruleVersion },
        retention: 'rights',
      });
      return this.getIn(tx, actor.firmId, id);
    });
    // This process answers from the change at once (others within the cache's 2 seconds).
    this.slugCache.delete(updated.slug);
    return updated;
  }

  /** For the public intake form: a case by slug, with its firm (internal use only). */
  async findBySlug(slug: string): Promise<CaseRecord | undefined> {
    const rows = await this.ds.query<CaseRow[]>(`${SELECT} WHERE c.slug = $1`, [slug]);
    const r = rows[0];
    return r ? { ...toView(r), firmId: r.firm_id as FirmScope } : undefined;
  }

  private readonly slugCache = new Map<string, { at: number; value: CaseRecord | undefined }>();

  /**
   * {@link findBySlug} for the public form's hot path: answers from a per-process cache for up to
   * 2 seconds, so closing intake or changing consent texts takes effect within 2 seconds (at once in
   * the process that made the change).
   */
  async findBySlugCached(slug: string): Promise<CaseRecord | undefined> {
    const hit = this.slugCache.get(slug);
    if (hit && Date.now() - hit.at < 2000) return hit.value;
    const value = await this.findBySlug(slug);
    if (this.slugCache.size > 1000) this.slugCache.clear();
    this.slugCache.set(slug, { at: Date.now(), value });
    return value;
  }

  /** A case of the caller's firm, with its firm id typed as a scope. */
  async record(firmId: FirmScope, id: string): Promise<CaseRecord> {
    return { ...(await this.get(firmId, id)), firmId };
  }
}
