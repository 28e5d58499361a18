import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, ValidationError } from '@app/platform';
import { AuditService, type FirmScope, type StaffPrincipal } from '@app/security';
import type { CounselInfo } from '../render/types';

/**
 * The firm's counsel block (원고들 소송대리인) printed on every complaint, kept in `firms.settings`
 * under `counsel`. Until an admin sets it, visible placeholders stand in (the complaint still
 * renders, and a paralegal reading it sees what is missing).
 */
export interface CounselSettings {
  /** Firm name as printed, e.g. "법무법인 한빛" (default: the firm's name). */
  name: string;
  address: string;
  phone: string;
  fax?: string;
  email?: string;
  attorneys: string[];
}

export const COUNSEL_PLACEHOLDERS = Object.freeze({
  address: '(사무소 주소 미등록)',
  phone: '(전화번호 미등록)',
  attorney: '(담당변호사 미지정)',
});

export type CounselPatch = Partial<CounselSettings>;

interface FirmRow {
  name: string;
  settings: { counsel?: Partial<CounselSettings> } | null;
}

function clean(value: string | undefined): string | undefined {
  const text = value?.normalize('NFC').trim();
  return text ? text : undefined;
}

/** Settings merged over the defaults. */
export function counselOf(firm: FirmRow): CounselSettings {
  const c = firm.settings?.counsel ?? {};
  const attorneys = (c.attorneys ?? []).map((a) => clean(a)).filter((a): a is string => a !== undefined);
  return {
    name: clean(c.name) ?? firm.name,
    address: clean(c.address) ?? COUNSEL_PLACEHOLDERS.address,
    phone: clean(c.phone) ?? COUNSEL_PLACEHOLDERS.phone,
    ...(clean(c.fax) ? { fax: clean(c.fax) } : {}),
    ...(clean(c.email) ? { email: clean(c.email) } : {}),
    attorneys: attorneys.length > 0 ? attorneys : [COUNSEL_PLACEHOLDERS.attorney],
  };
}

/** The complaint renderer's shape. */
export function counselInfo(c: CounselSettings): CounselInfo {
  return {
    firmName: c.name,
    address: c.address,
    phone: c.phone,
    ...(c.fax ? { fax: c.fax } : {}),
    ...(c.email ? { email: c.email } : {}),
    attorneys: c.attorneys,
  };
}

@Injectable()
export class FirmCounselService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(firmId: FirmScope, db: Pick<EntityManager, 'query'> = this.ds.manager): Promise<CounselSettings> {
    const rows = await db.query<FirmRow[]>(`SELECT name, settings FROM firms WHERE id = $1`, [firmId]);
    if (!rows[0]) throw new NotFoundError('Firm');
    return counselOf(rows[0]);
  }

  /** Sets fields of the counsel block (admin); audited. */
  async update(actor: StaffPrincipal, patch: CounselPatch): Promise<CounselSettings> {
    if (patch.attorneys !== undefined && patch.attorneys.every((a) => clean(a) === undefined)) {
      throw new ValidationError([{ field: 'attorneys', message: 'name at least one attorney' }]);
    }
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<FirmRow[]>(`SELECT name, settings FROM firms WHERE id = $1 FOR UPDATE`, [
        actor.firmId,
      ]);
      if (!rows[0]) throw new NotFoundError('Firm');
      const current = rows[0].settings?.counsel ?? {};
      const next: Partial<CounselSettings> = { ...current };
      for (const key of ['name', 'address', 'phone', 'fax', 'email'] as const) {
        if (patch[key] !== undefined) next[key] = clean(patch[key]) ?? '';
      }
      if (patch.attorneys !== undefined) {
        next.attorneys = patch.attorneys.map((a) => clean(a)).filter((a): a is string => a !== undefined);
      }
      await tx.query(
        `UPDATE firms SET settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{counsel}', $2::jsonb) WHERE id = $1`,
        [actor.firmId, JSON.stringify(next)],
      );
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'firm.counsel_updated',
        subjectType: 'firm',
        subjectId: actor.firmId,
        sourceIp: actor.sourceIp,
        details: { fields: Object.keys(patch) },
        retention: 'rights',
      });
      return counselOf({ name: rows[0].name, settings: { counsel: next } });
    });
  }
}
