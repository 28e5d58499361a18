import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A claims recompute rewrites every claimant row's amount and breakdown, none of which is indexed.
 * With half of each page kept free, PostgreSQL can place the new row version on the same page
 * (a HOT update) and skip all ten index insertions, which dominated the recompute's cost.
 * Applies to pages written from now on; an existing large table needs a one-off rewrite
 * (VACUUM FULL or pg_repack) to benefit.
 */
export class ClaimantsFillfactor1763770600000 implements MigrationInterface {
  name = 'ClaimantsFillfactor1763770600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claimants SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claimants RESET (fillfactor)`);
  }
}
