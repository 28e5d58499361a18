import type { EntityManager } from 'typeorm';
import type { SealedClaimant } from '../claimant-fields';

export interface DuplicateCheckInput {
  firmId: string;
  caseId: string;
  claimantId: string;
  bidx: Pick<SealedClaimant, 'phone_bidx' | 'email_bidx' | 'name_birth_bidx' | 'address_bidx'>;
  sourceIpBidx: Buffer | null;
  velocityMax: number;
  velocityWindowMinutes: number;
}

/** Positions ($n) of the two velocity settings among a statement's parameters. */
export interface VelocityParams {
  windowMinutes: number;
  velocityMax: number;
}

/** The matched claimants a flag may name, at most, per claimant checked. */
export const MAX_MATCHES_PER_CLAIMANT = 40;

/**
 * CTEs that raise the duplicate and velocity flags of every claimant in a CTE named `probe`
 * (columns claimant_id, firm_id, case_id, ord, phone_bidx, email_bidx, name_birth_bidx,
 * address_bidx, source_ip_bidx), ending in `dup_ins` (RETURNING claimant_id, one row per flag):
 * - `possible_duplicate`, naming each other live claimant of the case with the same phone, email,
 *   name + birth date or normalized address: claimants already in the table, and claimants of the
 *   same `probe` with a lower `ord` (a batch inserted by this very statement, which the statement's
 *   snapshot does not show);
 * - `velocity`, when at least `velocityMax` other submissions to the case came from the same source
 *   address within the window, counting earlier claimants of the same `probe`.
 * Shared by the intake statement (which inserts a whole batch and checks it at once) and by
 * {@link raiseDuplicateFlags} (a claimant's corrected contact details).
 */
export function duplicateFlagCtes(p: VelocityParams): string {
  const same = (signal: string, column: string) =>
    `SELECT x.id, '${signal}' AS signal, x.created_at, 0::bigint AS ord FROM claimants x
            WHERE x.case_id = p.case_id AND x.${column} = p.${column}`;
  return `dup_m AS (
       SELECT p.firm_id, p.case_id, p.claimant_id, m.id AS matched_id, m.signal
         FROM probe p CROSS JOIN LATERAL (
           SELECT id, signal FROM (
             ${same('phone', 'phone_bidx')}
             UNION ALL ${same('email', 'email_bidx')}
             UNION ALL ${same('name_birth', 'name_birth_bidx')}
             UNION ALL ${same('address', 'address_bidx')}
             UNION ALL SELECT q.claimant_id, s.signal, now(), q.ord FROM probe q
               CROSS JOIN LATERAL (VALUES ('phone', q.phone_bidx = p.phone_bidx), ('email', q.email_bidx = p.email_bidx),
                   ('name_birth', q.name_birth_bidx = p.name_birth_bidx), ('address', q.address_bidx = p.address_bidx)
                 ) s (signal, hit)
              WHERE q.ord < p.ord AND q.case_id = p.case_id AND s.hit
           ) x WHERE x.id <> p.claimant_id ORDER BY x.created_at, x.ord LIMIT ${MAX_MATCHES_PER_CLAIMANT}
         ) m
     ), dup_v AS (
       -- Counting stops at the threshold: a busy carrier NAT address costs no more than a quiet one.
       -- The case is compared as text on purpose: no case_id index can then drive this lookup, so
       -- even a generic plan made on a nearly empty table uses the address index.
       SELECT p.firm_id, p.case_id, p.claimant_id FROM probe p
        WHERE p.source_ip_bidx IS NOT NULL
          AND (SELECT count(*) FROM (
                 SELECT 1 FROM claimants x
                  WHERE x.source_ip_bidx = p.source_ip_bidx
                    AND x.created_at > now() - make_interval(mins => $${p.windowMinutes}::int)
                    AND x.case_id::text = p.case_id::text AND x.id <> p.claimant_id
                  LIMIT $${p.velocityMax}::int) recent)
            + (SELECT count(*) FROM probe q
                WHERE q.ord < p.ord AND q.case_id = p.case_id AND q.source_ip_bidx = p.source_ip_bidx)
              >= $${p.velocityMax}::int
     ), dup_ins AS (
       INSERT INTO claimant_flags (firm_id, case_id, claimant_id, kind, signal, matched_claimant_id)
       SELECT firm_id, case_id, claimant_id, 'possible_duplicate', signal, matched_id FROM dup_m
       UNION ALL
       SELECT firm_id, case_id, claimant_id, 'velocity', 'source_address', NULL FROM dup_v
       ON CONFLICT DO NOTHING RETURNING claimant_id
     )`;
}

/** The statement {@link raiseDuplicateFlags} runs: one existing claimant as the probe. */
export const RAISE_DUPLICATE_FLAGS = `
  WITH probe AS (
    SELECT $1::uuid AS claimant_id, $2::uuid AS firm_id, $3::uuid AS case_id, 1::bigint AS ord,
           $4::bytea AS phone_bidx, $5::bytea AS email_bidx, $6::bytea AS name_birth_bidx,
           $7::bytea AS address_bidx, $8::bytea AS source_ip_bidx
  ), ${duplicateFlagCtes({ windowMinutes: 9, velocityMax: 10 })}
  SELECT count(*)::int AS n FROM dup_ins`;

export function duplicateFlagParams(c: DuplicateCheckInput): unknown[] {
  return [
    c.claimantId,
    c.firmId,
    c.caseId,
    c.bidx.phone_bidx,
    c.bidx.email_bidx,
    c.bidx.name_birth_bidx,
    c.bidx.address_bidx,
    c.sourceIpBidx,
    c.velocityWindowMinutes,
    c.velocityMax,
  ];
}

/**
 * Raises the flags for an existing claimant (e.g. after a contact correction) in one round trip:
 * `possible_duplicate` for each other live claimant of the case with the same phone, email,
 * name + birth date or normalized address (naming that claimant), and `velocity` when many
 * submissions came from one source address in a short window. Returns how many it raised.
 */
export async function raiseDuplicateFlags(tx: EntityManager, c: DuplicateCheckInput): Promise<number> {
  const rows = await tx.query<{ n: number }[]>(RAISE_DUPLICATE_FLAGS, duplicateFlagParams(c));
  return rows[0]?.n ?? 0;
}
