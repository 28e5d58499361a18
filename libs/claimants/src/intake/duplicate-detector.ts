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

/**
 * Raises flags on a claimant: `possible_duplicate` for each other live claimant of the case with the
 * same phone, email, name + birth date or normalized address (naming that claimant), and
 * `velocity` when many submissions came from one source address in a short window.
 * Runs inside the caller's transaction; returns how many flags it raised.
 */
export async function raiseDuplicateFlags(tx: EntityManager, c: DuplicateCheckInput): Promise<number> {
  const matches = await tx.query<{ id: string; signal: string }[]>(
    `SELECT id, signal FROM (
       SELECT id, 'phone' AS signal, created_at FROM claimants WHERE case_id = $1 AND phone_bidx = $3
       UNION ALL SELECT id, 'email', created_at FROM claimants WHERE case_id = $1 AND email_bidx = $4
       UNION ALL SELECT id, 'name_birth', created_at FROM claimants WHERE case_id = $1 AND name_birth_bidx = $5
       UNION ALL SELECT id, 'address', created_at FROM claimants WHERE case_id = $1 AND address_bidx = $6
     ) m WHERE id <> $2 ORDER BY created_at LIMIT 40`,
    [c.caseId, c.claimantId, c.bidx.phone_bidx, c.bidx.email_bidx, c.bidx.name_birth_bidx, c.bidx.address_bidx],
  );
  let raised = 0;
  if (matches.length > 0) {
    const res = await tx.query<{ id: string }[]>(
      `INSERT INTO claimant_flags (firm_id, case_id, claimant_id, kind, signal, matched_claimant_id)
       SELECT $1, $2, $3, 'possible_duplicate', m.signal, m.id
         FROM unnest($4::uuid[], $5::text[]) AS m(id, signal)
       ON CONFLICT DO NOTHING RETURNING id`,
      [c.firmId, c.caseId, c.claimantId, matches.map((m) => m.id), matches.map((m) => m.signal)],
    );
    raised += res.length;
  }
  if (c.sourceIpBidx) {
    const recent = await tx.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM claimants
        WHERE case_id = $1 AND source_ip_bidx = $2 AND created_at > now() - make_interval(mins => $3)`,
      [c.caseId, c.sourceIpBidx, c.velocityWindowMinutes],
    );
    if ((recent[0]?.n ?? 0) > c.velocityMax) {
      const res = await tx.query<{ id: string }[]>(
        `INSERT INTO claimant_flags (firm_id, case_id, claimant_id, kind, signal)
         VALUES ($1, $2, $3, 'velocity', 'source_address') ON CONFLICT DO NOTHING RETURNING id`,
        [c.firmId, c.caseId, c.claimantId],
      );
      raised += res.length;
    }
  }
  return raised;
}
