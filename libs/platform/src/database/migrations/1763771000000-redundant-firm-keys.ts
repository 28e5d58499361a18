import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops foreign keys to the firm and the case from rows that also point to their claimant (kept),
 * which points to its firm and case. (None of these keys ever checked that the columns match the
 * claimant's: the code copies them from the claimant it has just read.)
 * Each dropped key cost a trigger and a key-share lock on the firm's (or case's) single row for
 * every row inserted: 100,000 history rows when a filing of 100,000 plaintiffs becomes ready, and a
 * multixact on that one hot row when many submissions arrive at once.
 */
export class RedundantFirmKeys1763771000000 implements MigrationInterface {
  name = 'RedundantFirmKeys1763771000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claimant_status_history DROP CONSTRAINT claimant_status_history_firm_id_fkey`);
    await q.query(`ALTER TABLE claimant_flags DROP CONSTRAINT claimant_flags_firm_id_fkey`);
    await q.query(`ALTER TABLE claimant_flags DROP CONSTRAINT claimant_flags_case_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE claimant_flags ADD CONSTRAINT claimant_flags_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases(id)`,
    );
    await q.query(
      `ALTER TABLE claimant_flags ADD CONSTRAINT claimant_flags_firm_id_fkey FOREIGN KEY (firm_id) REFERENCES firms(id)`,
    );
    await q.query(
      `ALTER TABLE claimant_status_history ADD CONSTRAINT claimant_status_history_firm_id_fkey FOREIGN KEY (firm_id) REFERENCES firms(id)`,
    );
  }
}
