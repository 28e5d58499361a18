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

/** Positions of the duplicate check's inputs among a statement's parameters ($n). */
export interface DuplicateParams {
  caseId: number;
  claimantId: number;
  phone: number;
  email: number;
  nameBirth: number;
  address: number;
  sourceIp: number;
  windowMinutes: number;
  firmId: number;
  velocityMax: number;
}

/**
 * CTEs `dup_m` (other live claimants of the case sharing phone, email, name + birth date or
 * address), `dup_v` (recent submissions from the address, not counting this one) and `dup_ins`
 * (the flags inserted, naming the matched claimant). Shared by the intake statement, which runs
 * it in the same statement that inserts the claimant, and by {@link raiseDuplicateFlags}.
 */
export function duplicateFlagCtes(p: DuplicateParams, gate = 'true'): string {
  return `dup_m AS (
       SELECT id, signal FROM (
         SELECT id, 'phone' AS signal, created_at FROM claimants WHERE case_id = $${p.caseId} AND phone_bidx = $${p.phone}
         UNION ALL SELECT id, 'email', created_at FROM claimants WHERE case_id = $${p.caseId} AND email_bidx = $${p.email}
         UNION ALL SELECT id, 'name_birth', created_at FROM claimants
                    WHERE case_id = $${p.caseId} AND name_birth_bidx = $${p.nameBirth}
         UNION ALL SELECT id, 'address', created_at FROM claimants WHERE case_id = $${p.caseId} AND address_bidx = $${p.address}
       ) x WHERE id <> $${p.claimantId} ORDER BY created_at LIMIT 40
     ), dup_v AS (
       -- Counting stops at the threshold: a busy carrier NAT address costs no more than a quiet one.
       -- The case is compared as text on purpose: no case_id index can then drive this lookup, so
       -- even a generic plan made on a nearly empty table uses the address index.
       SELECT count(*) AS n FROM (
         SELECT 1 FROM claimants
          WHERE $${p.sourceIp}::bytea IS NOT NULL AND source_ip_bidx = $${p.sourceIp}::bytea
            AND created_at > now() - make_interval(mins => $${p.windowMinutes})
            AND case_id::text = $${p.caseId}::text AND id <> $${p.claimantId}
          LIMIT $${p.velocityMax}) recent
     ), dup_ins AS (
       INSERT INTO claimant_flags (firm_id, case_id, claimant_id, kind, signal, matched_claimant_id)
       SELECT $${p.firmId}::uuid, $${p.caseId}::uuid, $${p.claimantId}::uuid, 'possible_duplicate', m.signal, m.id FROM dup_m m
        WHERE ${gate}
       UNION ALL
       SELECT $${p.firmId}::uuid, $${p.caseId}::uuid, $${p.claimantId}::uuid, 'velocity', 'source_address', NULL
         FROM dup_v v WHERE v.n >= $${p.velocityMax} AND ${gate}
       ON CONFLICT DO NOTHING RETURNING 1
     )`;
}

export function duplicateFlagParams(c: DuplicateCheckInput): unknown[] {
  return [
    c.caseId,
    c.claimantId,
    c.bidx.phone_bidx,
    c.bidx.email_bidx,
    c.bidx.name_birth_bidx,
    c.bidx.address_bidx,
    c.sourceIpBidx,
    c.velocityWindowMinutes,
    c.firmId,
    c.velocityMax,
  ];
}

/** Parameter positions of {@link duplicateFlagParams}, as {@link raiseDuplicateFlags} binds them. */
export const DUPLICATE_CHECK_PARAMS: DuplicateParams = {
  caseId: 1,
  claimantId: 2,
  phone: 3,
  email: 4,
  nameBirth: 5,
  address: 6,
  sourceIp: 7,
  windowMinutes: 8,
  firmId: 9,
  velocityMax: 10,
};

/**
 * Raises the flags for an existing claimant (e.g. after a contact correction) in one round trip:
 * `possible_duplicate` for each other live claimant of the case with the same phone, email,
 * name + birth date or normalized address (naming that claimant), and `velocity` when many
 * submissions came from one source address in a short window. Returns how many it raised.
 */
export async function raiseDuplicateFlags(tx: EntityManager, c: DuplicateCheckInput): Promise<number> {
  const rows = await tx.query<{ n: number }[]>(
    `WITH ${duplicateFlagCtes(DUPLICATE_CHECK_PARAMS)} SELECT count(*)::int AS n FROM dup_ins`,
    duplicateFlagParams(c),
  );
  return rows[0]?.n ?? 0;
}
