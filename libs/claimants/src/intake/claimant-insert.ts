import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery, type PgQueryable } from '@app/platform';
import type { SealedClaimant } from '../claimant-fields';
import { duplicateFlagCtes } from './duplicate-detector';

/** One claimant ready to insert: sealed, with its reference drawn. */
export interface ClaimantInsert {
  id: string;
  firmId: string;
  caseId: string;
  reference: string;
  tokenHash: Buffer;
  source: 'form' | 'import';
  sealed: SealedClaimant;
  sourceIpBidx: Buffer | null;
  exposedData: readonly string[];
  noticeReceivedOn: string | null;
  declaredLossKrw: number;
  couponUsed: boolean | null;
  /** The consents record as JSON text. */
  consents: string;
  attestedAt: Date;
}

export interface ClaimantInsertOutcome {
  /** False when the reference was taken in the case (nothing was written for this claimant). */
  created: boolean;
  /** Flags raised for the claimant. */
  flags: number;
}

export interface VelocitySettings {
  windowMinutes: number;
  max: number;
}

/**
 * One statement for a whole batch of claimants, from one element each of 24 parallel arrays: the
 * claimants (a reference already taken in the case skips that claimant), their first history rows
 * and their duplicate and velocity flags, which also match claimants earlier in the same batch.
 * One statement means one round trip and one commit, however many claimants it carries.
 */
export const INSERT_CLAIMANTS = `
  WITH r AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bytea[], $6::text[],
                         $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                         $13::bytea[], $14::bytea[], $15::bytea[], $16::bytea[], $17::bytea[], $18::bytea[],
                         $19::text[], $20::date[], $21::bigint[], $22::boolean[], $23::text[], $24::timestamptz[])
      WITH ORDINALITY AS r (id, firm_id, case_id, reference, token_hash, source,
                            name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
                            name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
                            exposed_data, notice_received_on, declared_loss_krw, coupon_used, consents, attested_at, ord)
  ), c AS (
    INSERT INTO claimants (id, firm_id, case_id, reference, token_hash, status, source,
      name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
      name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
      exposed_data, notice_received_on, declared_loss_krw, coupon_used, consents, attested_at)
    SELECT id, firm_id, case_id, reference, token_hash, 'submitted', source,
           name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
           name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
           exposed_data::text[], notice_received_on, declared_loss_krw, coupon_used, consents::jsonb, attested_at
      FROM r ORDER BY ord
    ON CONFLICT (case_id, reference) DO NOTHING RETURNING id
  ), probe AS (
    SELECT r.id AS claimant_id, r.firm_id, r.case_id, r.ord,
           r.phone_bidx, r.email_bidx, r.name_birth_bidx, r.address_bidx, r.source_ip_bidx, r.source
      FROM r JOIN c ON c.id = r.id
  ), h AS (
    INSERT INTO claimant_status_history (firm_id, claimant_id, from_status, to_status, actor_type, reason)
    SELECT firm_id, claimant_id, NULL, 'submitted',
           CASE source WHEN 'form' THEN 'claimant' ELSE 'system' END,
           CASE source WHEN 'form' THEN 'submitted online' ELSE 'imported' END
      FROM probe ORDER BY ord
  ), ${duplicateFlagCtes({ windowMinutes: 25, velocityMax: 26 })}
  SELECT r.ord::int AS ord, (c.id IS NOT NULL) AS created,
         (SELECT count(*) FROM dup_ins d WHERE d.claimant_id = r.id)::int AS flags
    FROM r LEFT JOIN c ON c.id = r.id`;

/** A text[] literal, each element quoted. */
function textArrayLiteral(list: readonly string[]): string {
  return `{${list.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** The parameters of {@link INSERT_CLAIMANTS}: column by column across the batch. */
export function insertClaimantsParams(rows: readonly ClaimantInsert[], velocity: VelocitySettings): unknown[] {
  const col = <T>(f: (r: ClaimantInsert) => T): T[] => rows.map(f);
  return [
    col((r) => r.id),
    col((r) => r.firmId),
    col((r) => r.caseId),
    col((r) => r.reference),
    col((r) => r.tokenHash),
    col((r) => r.source),
    col((r) => r.sealed.name_enc),
    col((r) => r.sealed.birth_date_enc),
    col((r) => r.sealed.phone_enc),
    col((r) => r.sealed.email_enc),
    col((r) => r.sealed.address_enc),
    col((r) => r.sealed.harms_enc),
    col((r) => r.sealed.name_bidx),
    col((r) => r.sealed.phone_bidx),
    col((r) => r.sealed.email_bidx),
    col((r) => r.sealed.name_birth_bidx),
    col((r) => r.sealed.address_bidx),
    col((r) => r.sourceIpBidx),
    col((r) => textArrayLiteral(r.exposedData)),
    col((r) => r.noticeReceivedOn),
    col((r) => r.declaredLossKrw),
    col((r) => r.couponUsed),
    col((r) => r.consents),
    col((r) => r.attestedAt),
    velocity.windowMinutes,
    velocity.max,
  ];
}

/** Inserts the batch in one statement (in `db`'s transaction, if it has one); outcomes in order. */
export async function insertClaimants(
  db: DataSource | EntityManager | PgQueryable,
  rows: readonly ClaimantInsert[],
  velocity: VelocitySettings,
): Promise<ClaimantInsertOutcome[]> {
  const out = await preparedQuery<{ ord: number; created: boolean; flags: number }>(
    db,
    'claimant-insert-v3',
    INSERT_CLAIMANTS,
    insertClaimantsParams(rows, velocity),
  );
  const byOrd: ClaimantInsertOutcome[] = new Array<ClaimantInsertOutcome>(rows.length);
  for (const o of out) byOrd[o.ord - 1] = { created: o.created, flags: o.flags };
  for (let i = 0; i < rows.length; i++) {
    if (!byOrd[i]) throw new Error(`the claimant insert returned no outcome for row ${i + 1}`);
  }
  return byOrd;
}
