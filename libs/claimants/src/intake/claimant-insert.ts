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

const BATCH_ARRAYS = `$1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bytea[], $6::text[],
                         $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                         $13::bytea[], $14::bytea[], $15::bytea[], $16::bytea[], $17::bytea[], $18::bytea[],
                         $19::text[], $20::date[], $21::bigint[], $22::boolean[], $23::text[], $24::timestamptz[]`;
const BATCH_COLUMNS = `id, firm_id, case_id, reference, token_hash, source,
                            name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
                            name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
                            exposed_data, notice_received_on, declared_loss_krw, coupon_used, consents, attested_at`;

/**
 * The batch as rows `r` (plus `ord`). For keyed submissions it first claims the Idempotency-Keys
 * ($27 keys, $28 request hashes, $29 encrypted receipts; each key stored with its receipt) and `r`
 * keeps only the submissions whose key this statement claimed, the first of the batch for a key
 * repeated in it. A key held by another transaction still open makes the statement wait for it,
 * so concurrent retries make one claimant; keys are claimed in key order, so two batches holding
 * the same keys cannot wait for each other.
 */
function batchRows(keyed: boolean): string {
  if (!keyed) {
    return `r AS (
    SELECT * FROM unnest(${BATCH_ARRAYS})
      WITH ORDINALITY AS r (${BATCH_COLUMNS}, ord)
  )`;
  }
  return `b AS (
    SELECT * FROM unnest(${BATCH_ARRAYS}, $27::text[], $28::bytea[], $29::text[])
      WITH ORDINALITY AS b (${BATCH_COLUMNS}, key, request_hash, response_enc, ord)
  ), k AS (
    INSERT INTO idempotency_keys (case_id, key, request_hash, status_code, response_enc, claimant_id)
    SELECT case_id, key, request_hash, 201, response_enc, id FROM b ORDER BY case_id, key, ord
    ON CONFLICT (case_id, key) DO NOTHING RETURNING case_id, key
  ), r AS (
    SELECT DISTINCT ON (b.case_id, b.key) b.* FROM b JOIN k ON k.case_id = b.case_id AND k.key = b.key
     ORDER BY b.case_id, b.key, b.ord
  )`;
}

/**
 * One statement for a whole batch of claimants, from one element each of 24 parallel arrays: the
 * claimants, their first history rows and their duplicate and velocity flags, which also match
 * claimants earlier in the same batch. One statement means one round trip and one commit, however
 * many claimants it carries. Without keys, a reference already taken in the case skips that
 * claimant (`created` false); with keys ({@link batchRows}), it fails the whole statement, keys
 * and all, and a submission whose key was not claimed has `created` false.
 */
function claimantInsertStatement(keyed: boolean): string {
  return `
  WITH ${batchRows(keyed)}, c AS (
    INSERT INTO claimants (id, firm_id, case_id, reference, token_hash, status, source,
      name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
      name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
      exposed_data, notice_received_on, declared_loss_krw, coupon_used, consents, attested_at)
    SELECT id, firm_id, case_id, reference, token_hash, 'submitted', source,
           name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
           name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
           exposed_data::text[], notice_received_on, declared_loss_krw, coupon_used, consents::jsonb, attested_at
      FROM r ORDER BY ord
    ${keyed ? '' : 'ON CONFLICT (case_id, reference) DO NOTHING '}RETURNING id
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
  SELECT x.ord::int AS ord, (c.id IS NOT NULL) AS created,
         (SELECT count(*) FROM dup_ins d WHERE d.claimant_id = x.id)::int AS flags
    FROM ${keyed ? 'b' : 'r'} x LEFT JOIN c ON c.id = x.id`;
}

/** Submissions without an Idempotency-Key. */
export const INSERT_CLAIMANTS = claimantInsertStatement(false);
/** Submissions with an Idempotency-Key: see {@link insertKeyedClaimants}. */
export const INSERT_KEYED_CLAIMANTS = claimantInsertStatement(true);

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

/** The error of a statement that met a reference already taken in the case. */
export function isReferenceCollision(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && e.constraint === 'claimants_reference_uq';
}

/** Runs one of the statements above; its outcomes in the order of the batch. */
async function runInsert(
  db: DataSource | EntityManager | PgQueryable,
  name: string,
  sql: string,
  params: unknown[],
  count: number,
): Promise<ClaimantInsertOutcome[]> {
  const out = await preparedQuery<{ ord: number; created: boolean; flags: number }>(db, name, sql, params);
  const byOrd: ClaimantInsertOutcome[] = new Array<ClaimantInsertOutcome>(count);
  for (const o of out) byOrd[o.ord - 1] = { created: o.created, flags: o.flags };
  for (let i = 0; i < count; i++) {
    if (!byOrd[i]) throw new Error(`the claimant insert returned no outcome for row ${i + 1}`);
  }
  return byOrd;
}

/** Inserts the batch in one statement (in `db`'s transaction, if it has one); outcomes in order. */
export function insertClaimants(
  db: DataSource | EntityManager | PgQueryable,
  rows: readonly ClaimantInsert[],
  velocity: VelocitySettings,
): Promise<ClaimantInsertOutcome[]> {
  return runInsert(db, 'claimant-insert-v3', INSERT_CLAIMANTS, insertClaimantsParams(rows, velocity), rows.length);
}

/** An Idempotency-Key to claim with its claimant, and what it keeps for a replay. */
export interface ClaimedKey {
  key: string;
  requestHash: Buffer;
  /** The receipt to replay, encrypted at `idempotency_keys.response_enc` of (case, key). */
  responseEnc: string;
}

/**
 * {@link INSERT_KEYED_CLAIMANTS} for the batch (`keys[i]` is `rows[i]`'s): `created` false means
 * the key was not claimed. A reference already taken fails the statement (nothing is written).
 */
export function insertClaimantsWithKeys(
  db: PgQueryable,
  rows: readonly ClaimantInsert[],
  keys: readonly ClaimedKey[],
  velocity: VelocitySettings,
): Promise<ClaimantInsertOutcome[]> {
  const params = [
    ...insertClaimantsParams(rows, velocity),
    keys.map((k) => k.key),
    keys.map((k) => k.requestHash),
    keys.map((k) => k.responseEnc),
  ];
  return runInsert(db, 'claimant-insert-keyed-v2', INSERT_KEYED_CLAIMANTS, params, rows.length);
}
