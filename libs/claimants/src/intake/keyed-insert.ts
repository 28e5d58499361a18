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

/** A key older than a day starts afresh (Stripe keeps them 24 hours). */
const DELETE_STALE_KEYS = `
  DELETE FROM idempotency_keys k USING unnest($1::uuid[], $2::text[]) AS r (case_id, key)
   WHERE k.case_id = r.case_id AND k.key = r.key AND k.created_at < now() - interval '24 hours'`;

/**
 * Claims the keys. A key held by an open transaction makes this wait for it (so concurrent retries
 * still make one claimant); a key repeated within the batch goes to its first submission.
 */
const CLAIM_KEYS = `
  INSERT INTO idempotency_keys (case_id, key, request_hash)
  SELECT case_id, key, request_hash
    FROM unnest($1::uuid[], $2::text[], $3::bytea[]) WITH ORDINALITY AS r (case_id, key, request_hash, ord)
   ORDER BY ord
  ON CONFLICT (case_id, key) DO NOTHING RETURNING case_id, key`;

/** Stores the receipts of the claimants that went in, and releases the keys of those that did not. */
const SETTLE_KEYS = `
  WITH r AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r (case_id, key, response_enc)
  ), stored AS (
    UPDATE idempotency_keys k SET status_code = 201, response_enc = r.response_enc
      FROM r WHERE k.case_id = r.case_id AND k.key = r.key AND r.response_enc IS NOT NULL
    RETURNING 1
  ), released AS (
    DELETE FROM idempotency_keys k USING r
     WHERE k.case_id = r.case_id AND k.key = r.key AND r.response_enc IS NULL
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM stored)::int + (SELECT count(*) FROM released)::int AS settled`;

const keyOf = (caseId: string, key: string): string => `${caseId}\u0000${key}`;

/**
 * A batch of keyed submissions in one transaction on `pool`: claim the keys, insert the claimants
 * whose keys were claimed (one statement, as for the public form without a key), store their
 * receipts and release the keys of any whose reference was taken. Outcomes in order.
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
    const caseIds = items.map((i) => i.row.caseId);
    const keys = items.map((i) => i.key);
    await client.query({ name: 'intake-keys-stale-v1', text: DELETE_STALE_KEYS, values: [caseIds, keys] });
    const claimed = await client.query<{ case_id: string; key: string }>({
      name: 'intake-keys-claim-v1',
      text: CLAIM_KEYS,
      values: [caseIds, keys, items.map((i) => i.requestHash)],
    });
    const won = new Set(claimed.rows.map((r) => keyOf(r.case_id, r.key)));
    const owners: number[] = [];
    items.forEach((item, i) => {
      const k = keyOf(item.row.caseId, item.key);
      if (won.delete(k)) owners.push(i);
    });
    const inserted = owners.length
      ? await insertClaimants(
          client,
          owners.map((i) => items[i].row),
          velocity,
        )
      : [];
    if (owners.length) {
      await client.query({
        name: 'intake-keys-settle-v1',
        text: SETTLE_KEYS,
        values: [
          owners.map((i) => items[i].row.caseId),
          owners.map((i) => items[i].key),
          owners.map((i, n) => (inserted[n].created ? items[i].responseEnc : null)),
        ],
      });
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
