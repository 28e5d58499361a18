import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim results move out of the wide `claimants` row into a narrow table of their own.
 *
 * A recompute writes every claimable claimant's amount, breakdown and rule version. On `claimants`
 * that rewrote a ~400-byte row (ciphertext, blind indexes, consents) per claimant and, unless the
 * update stayed on its page, ten index entries. Here a result is ~100 bytes with one index, so a
 * recompute of a million claimants writes a tenth of the data, and the wide table goes back to its
 * default fill factor (no longer half empty for in-place updates).
 *
 * The primary key leads with the case: a case's results are one index range (totals, the
 * recompute's comparison) and a claimant's result is one probe. There is no foreign key to
 * claimants on purpose: its check would lock every claimant row (FOR KEY SHARE) on each recompute,
 * dirtying the very pages this table exists to leave alone. Claimants are never deleted (withdrawal
 * erases fields, merging marks the row), and the recompute clears results of claimants that left
 * the claim arithmetic.
 */
export class ClaimantClaims1763770700000 implements MigrationInterface {
  name = 'ClaimantClaims1763770700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claimant_claims (
        case_id      uuid NOT NULL,
        claimant_id  uuid NOT NULL,
        firm_id      uuid NOT NULL,
        rule_version integer NOT NULL,
        amount_krw   bigint NOT NULL CHECK (amount_krw >= 0),
        breakdown    jsonb NOT NULL,
        PRIMARY KEY (case_id, claimant_id)
      )`);
    await q.query(`
      INSERT INTO claimant_claims (case_id, claimant_id, firm_id, rule_version, amount_krw, breakdown)
      SELECT case_id, id, firm_id, claim_rule_version, claim_amount_krw, claim_breakdown
        FROM claimants
       WHERE claim_amount_krw IS NOT NULL AND claim_rule_version IS NOT NULL AND claim_breakdown IS NOT NULL`);
    await q.query(`ALTER TABLE claimants DROP COLUMN claim_amount_krw, DROP COLUMN claim_breakdown,
                   DROP COLUMN claim_rule_version`);
    await q.query(`ALTER TABLE claimants RESET (fillfactor)`);
    // The claimants a recompute must clear: usually few, and no entry at all for a fresh submission.
    await q.query(`CREATE INDEX claimants_unclaimable_idx ON claimants (case_id, id)
                    WHERE merged_into IS NOT NULL OR status IN ('withdrawn', 'rejected')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX claimants_unclaimable_idx`);
    await q.query(`ALTER TABLE claimants SET (fillfactor = 50)`);
    await q.query(`ALTER TABLE claimants ADD COLUMN claim_amount_krw bigint, ADD COLUMN claim_breakdown jsonb,
                   ADD COLUMN claim_rule_version integer`);
    await q.query(`
      UPDATE claimants c SET claim_amount_krw = k.amount_krw, claim_breakdown = k.breakdown,
                             claim_rule_version = k.rule_version
        FROM claimant_claims k WHERE k.case_id = c.case_id AND k.claimant_id = c.id`);
    await q.query(`DROP TABLE claimant_claims`);
  }
}
