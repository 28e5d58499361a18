import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim results move out of the wide `claimants` row into generations of narrow tables.
 *
 * A recompute writes every claimable claimant's amount, breakdown and rule version. On `claimants`
 * that rewrote a ~1 KB row (ciphertext, blind indexes, consents) per claimant and, unless the
 * update stayed on its page, ten index entries; `claimants` goes back to its default fill factor.
 *
 * Each recompute of a case now fills a table of its own, `claimant_claims_g<N>` (claimant_id
 * primary key, amount_krw, breakdown), built in one pass, and records it in `claim_generations`
 * as the case's current generation (see libs/claims/src/recompute/claim-generations.ts). The case,
 * firm and rule version belong to the generation. There is no foreign key to claimants: its check
 * would lock every claimant row on each recompute. Claimants are never deleted (withdrawal erases
 * fields, merging marks the row).
 *
 * Results stored on claimants so far become each case's first generation, under the lowest rule
 * version among them (0 when any is unrecorded), so a case with mixed versions shows as due for a
 * recompute. The migration runs in one transaction and locks four relations per such case: a
 * database with more than ~1,500 cases holding results needs a larger max_locks_per_transaction
 * for it (or a recompute per case instead, after dropping the old columns).
 */
export class ClaimantClaims1763770700000 implements MigrationInterface {
  name = 'ClaimantClaims1763770700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE claim_generation_seq`);
    await q.query(`
      CREATE TABLE claim_generations (
        generation   bigint PRIMARY KEY,
        case_id      uuid NOT NULL REFERENCES cases(id),
        firm_id      uuid NOT NULL,
        rule_version integer NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        replaced_at  timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX claim_generations_current_uq ON claim_generations (case_id) WHERE replaced_at IS NULL`,
    );
    const cases = (await q.query(
      `SELECT k.id AS case_id, k.firm_id,
              CASE WHEN bool_or(c.claim_rule_version IS NULL) THEN 0 ELSE min(c.claim_rule_version) END AS rule_version
         FROM cases k JOIN claimants c ON c.case_id = k.id
        WHERE c.claim_amount_krw IS NOT NULL AND c.claim_breakdown IS NOT NULL
        GROUP BY k.id, k.firm_id`,
    )) as { case_id: string; firm_id: string; rule_version: number }[];
    for (const c of cases) {
      const [{ generation }] = (await q.query(`SELECT nextval('claim_generation_seq')::text AS generation`)) as {
        generation: string;
      }[];
      if (!/^\d+$/.test(generation)) throw new Error('bad generation');
      const table = `claimant_claims_g${generation}`;
      await q.query(`
        CREATE TABLE ${table} (
          claimant_id uuid NOT NULL,
          amount_krw  bigint NOT NULL CHECK (amount_krw >= 0),
          breakdown   jsonb NOT NULL
        )`);
      await q.query(
        `INSERT INTO ${table} (claimant_id, amount_krw, breakdown)
         SELECT id, claim_amount_krw, claim_breakdown FROM claimants
          WHERE case_id = $1 AND claim_amount_krw IS NOT NULL AND claim_breakdown IS NOT NULL`,
        [c.case_id],
      );
      await q.query(`ALTER TABLE ${table} ADD PRIMARY KEY (claimant_id)`);
      await q.query(
        `INSERT INTO claim_generations (generation, case_id, firm_id, rule_version) VALUES ($1, $2, $3, $4)`,
        [generation, c.case_id, c.firm_id, c.rule_version],
      );
    }
    await q.query(`ALTER TABLE claimants DROP COLUMN claim_amount_krw, DROP COLUMN claim_breakdown,
                   DROP COLUMN claim_rule_version`);
    await q.query(`ALTER TABLE claimants RESET (fillfactor)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claimants SET (fillfactor = 50)`);
    await q.query(`ALTER TABLE claimants ADD COLUMN claim_amount_krw bigint, ADD COLUMN claim_breakdown jsonb,
                   ADD COLUMN claim_rule_version integer`);
    const generations = (await q.query(
      `SELECT generation::text AS generation, case_id, rule_version FROM claim_generations`,
    )) as { generation: string; case_id: string; rule_version: number }[];
    for (const g of generations) {
      if (!/^\d+$/.test(g.generation)) throw new Error('bad generation');
      const table = `claimant_claims_g${g.generation}`;
      const current = (await q.query(`SELECT 1 FROM claim_generations WHERE generation = $1 AND replaced_at IS NULL`, [
        g.generation,
      ])) as unknown[];
      if (current.length > 0) {
        await q.query(
          `UPDATE claimants c SET claim_amount_krw = k.amount_krw, claim_breakdown = k.breakdown, claim_rule_version = $2
             FROM ${table} k WHERE k.claimant_id = c.id AND c.case_id = $1`,
          [g.case_id, g.rule_version],
        );
      }
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP TABLE claim_generations`);
    await q.query(`DROP SEQUENCE claim_generation_seq`);
  }
}
