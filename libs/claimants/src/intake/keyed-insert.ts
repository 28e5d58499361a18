import type { Pool } from 'pg';
import { insertClaimants, type ClaimantInsert, type VelocitySettings } from './claimant-insert';

/** A submission with an Idempotency-Key, sealed, with its receipt encrypted for the key's row. */
export interface KeyedInsert {
  row: ClaimantInsert;
  key: string;
  requestHash: Buffer;
  /** The receipt to replay, encrypted at `idempotency_keys.response_enc` of (case, key). */
  responseEnc: string;
}

export type KeyedInsertOutcome =
  /** The key was this submission's: the claimant is in and its receipt stored. */
  | { kind: 'created'; flags: number }
  /** The key was this submission's, but its reference was taken: nothing stayed; go again. */
  | { kind: 'collided' }
  /** Another submission holds the key (earlier, or earlier in this batch): read what it stored. */
  | { kind: 'taken' };

/**
 * Claims the keys, each with its receipt: the transaction that claims a key also inserts its
 * claimant, so no one ever sees a key without its receipt. A key held by an open transaction makes
 * this wait for it (so concurrent retries still make one claimant); a key repeated within the
 * batch goes to its first submission. Written so that even a generic plan touches the table only
 * through its primary key.
 */
const CLAIM_KEYS = `
  INSERT INTO idempotency_keys (case_id, key, request_hash, status_code, response_enc)
  SELECT case_id, key, request_hash, 201, response_enc
    FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[])
         WITH ORDINALITY AS r (case_id, key, request_hash, response_enc, ord)
   ORDER BY ord
  ON CONFLICT (case_id, key) DO NOTHING RETURNING case_id, key`;

/** Releases the key of a claimant whose reference was taken (rare), within the same transaction. */
const RELEASE_KEY = `DELETE FROM idempotency_keys WHERE case_id = $1 AND key = $2`;

const keyOf = (caseId: string, key: string): string => `${caseId}\u0000${key}`;

/**
 * A batch of keyed submissions in one transaction on `pool`: claim the keys with their receipts,
 * insert the claimants whose keys were claimed (one statement, as for the public form without a
 * key) and release the keys of any whose reference was taken. Outcomes in order. A key older than
 * a day is not claimed here: its holder reads it as taken, finds it stale and frees it.
 */
export async function insertKeyedClaimants(
  pool: Pool,
  items: readonly KeyedInsert[],
  velocity: VelocitySettings,
): Promise<KeyedInsertOutcome[]> {
  const client = await pool.connect();
  let done = false;
  try {
    await client.query('BEGIN');
    const claimed = await client.query<{ case_id: string; key: string }>({
      name: 'intake-keys-claim-v2',
      text: CLAIM_KEYS,
      values: [
        items.map((i) => i.row.caseId),
        items.map((i) => i.key),
        items.map((i) => i.requestHash),
        items.map((i) => i.responseEnc),
      ],
    });
    const won = new Set(claimed.rows.map((r) => keyOf(r.case_id, r.key)));
    const owners: number[] = [];
    items.forEach((item, i) => {
      if (won.delete(keyOf(item.row.caseId, item.key))) owners.push(i);
    });
    const inserted = owners.length
      ? await insertClaimants(
          client,
          owners.map((i) => items[i].row),
          velocity,
        )
      : [];
    for (const [n, i] of owners.entries()) {
      if (!inserted[n].created) await client.query(RELEASE_KEY, [items[i].row.caseId, items[i].key]);
    }
    await client.query('COMMIT');
    done = true;
    const outcomes: KeyedInsertOutcome[] = items.map(() => ({ kind: 'taken' }));
    owners.forEach((i, n) => {
      outcomes[i] = inserted[n].created ? { kind: 'created', flags: inserted[n].flags } : { kind: 'collided' };
    });
    return outcomes;
  } finally {
    let broken = false;
    if (!done)
      broken = !(await client.query('ROLLBACK').then(
        () => true,
        () => false,
      ));
    // A connection that could not roll back is closed rather than handed to the next batch.
    client.release(broken);
  }
}
