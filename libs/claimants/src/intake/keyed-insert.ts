import type { PgQueryable } from '@app/platform';
import {
  insertClaimantsWithKeys,
  isReferenceCollision,
  type ClaimantInsert,
  type ClaimedKey,
  type VelocitySettings,
} from './claimant-insert';

/** A submission with an Idempotency-Key, sealed, with its receipt encrypted for the key's row. */
export interface KeyedInsert extends ClaimedKey {
  row: ClaimantInsert;
}

export type KeyedInsertOutcome =
  /** The key was this submission's: the claimant is in and its receipt stored. */
  | { kind: 'created'; flags: number }
  /** The claimant's reference was taken: nothing was written, key included; go again. */
  | { kind: 'collided' }
  /** Another submission holds the key (earlier, or earlier in this batch): read what it stored. */
  | { kind: 'taken' };

/**
 * A batch of keyed submissions as one statement ({@link insertClaimantsWithKeys}): it claims the
 * keys, each with its receipt, and inserts the claimants whose keys it claimed, so no one ever sees
 * a key without its receipt and one round trip and one commit serve the batch. Outcomes in order.
 * A reference already taken in the case (about once in 10^9 submissions) fails the statement;
 * then each submission goes on its own, and the one whose reference was taken is `collided`. A key
 * older than a day is not claimed here: its holder reads it as taken, finds it stale and frees it.
 */
export async function insertKeyedClaimants(
  db: PgQueryable,
  items: readonly KeyedInsert[],
  velocity: VelocitySettings,
): Promise<KeyedInsertOutcome[]> {
  try {
    const inserted = await insertClaimantsWithKeys(
      db,
      items.map((i) => i.row),
      items,
      velocity,
    );
    return inserted.map((o) => (o.created ? { kind: 'created', flags: o.flags } : { kind: 'taken' }));
  } catch (err) {
    if (!isReferenceCollision(err)) throw err;
    if (items.length === 1) return [{ kind: 'collided' }];
    const outcomes: KeyedInsertOutcome[] = [];
    for (const item of items) outcomes.push(...(await insertKeyedClaimants(db, [item], velocity)));
    return outcomes;
  }
}
