import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim results move out of the wide `claimants` row into generations of a narrow table.
 *
 * A recompute writes every claimable claimant's amount, breakdown and rule version. On `claimants`
 * that rewrote a ~1 KB row (ciphertext, blind indexes, consents) per claimant and, unless the
 * update stayed on its page, ten index entries; `claimants` goes back to its default fill factor.
 *
 * `claimant_claims` is partitioned by `generation`: every recompute of a case fills a table of its
 * own, builds its primary key in one sorted pass, attaches it and points `claim_generations` at
 * it (see libs/claims/src/recompute/claim-generations.ts). The parent has no index of its own;
 * each generation has its primary key on claimant_id. A result row is only (generation, claimant,
 * amount, breakdown): the case, firm and rule version belong to the generation. There is no foreign key to claimants: its
 * check would lock every claimant row on each recompute. Claimants are never deleted (withdrawal
 * erases fields, merging marks the row).
 */
export class ClaimantClaims1763770700000 implements MigrationInterface {
  name = 'ClaimantClaims1763770700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE claim_generation_seq`);
    await q.query(`
      CREATE TABLE claimant_claims (
        generation   bigint NOT NULL,
        claimant_id  uuid NOT NULL,
        amount_krw   bigint NOT NULL CHECK (amount_krw >= 0),
        breakdown    jsonb NOT NULL
      ) PARTITION BY LIST (generation)`);
    await q.query(`
      CREATE TABLE claim_generations (
        case_id      uuid PRIMARY KEY REFERENCES cases(id),
        firm_id      uuid NOT NULL,
        generation   bigint NOT NULL UNIQUE,
        rule_version integer NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // Results stored on claimants so far become each case's first generation.
    const cases = (await q.query(
      `SELECT DISTINCT case_id, firm_id FROM claimants WHERE claim_amount_krw IS NOT NULL`,
    )) as { case_id: string; firm_id: string }[];
    for (const c of cases) {
      const [{ generation }] = (await q.query(`SELECT nextval('claim_generation_seq')::text AS generation`)) as {
        generation: string;
      }[];
      if (!/^\d+$/.test(generation)) throw new Error('bad generation');
      const table = `claimant_claims_g${generation}`;
      await q.query(
        `CREATE TABLE ${table} (LIKE claimant_claims INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
                                CHECK (generation = ${generation}))`,
      );
      await q.query(
        `INSERT INTO ${table} (generation, claimant_id, amount_krw, breakdown)
         SELECT ${generation}, id, claim_amount_krw, claim_breakdown
           FROM claimants
          WHERE case_id = $1 AND claim_amount_krw IS NOT NULL AND claim_rule_version IS NOT NULL
            AND claim_breakdown IS NOT NULL`,
        [c.case_id],
      );
      await q.query(`ALTER TABLE ${table} ADD PRIMARY KEY (claimant_id)`);
      await q.query(`ALTER TABLE claimant_claims ATTACH PARTITION ${table} FOR VALUES IN (${generation})`);
      await q.query(
        `INSERT INTO claim_generations (case_id, firm_id, generation, rule_version)
         SELECT $1, $2, $3, coalesce(max(claim_rule_version), 1) FROM claimants WHERE case_id = $1`,
        [c.case_id, c.firm_id, generation],
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
    await q.query(`
      UPDATE claimants c SET claim_amount_krw = k.amount_krw, claim_breakdown = k.breakdown,
                             claim_rule_version = g.rule_version
        FROM claim_generations g JOIN claimant_claims k ON k.generation = g.generation
       WHERE g.case_id = c.case_id AND k.claimant_id = c.id`);
    await q.query(`DROP TABLE claim_generations`);
    await q.query(`DROP TABLE claimant_claims`);
    await q.query(`DROP SEQUENCE claim_generation_seq`);
  }
}
