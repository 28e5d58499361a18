import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A duplicate flag never names an erased claimant. An intake batch matches against the claimants
 * its snapshot shows; one being withdrawn or merged at that moment still shows its blind indexes,
 * and the flag would be written after the erasure committed, telling what the erased person shared
 * with the newcomer. Before each flag row that names another claimant, this share-locks that
 * claimant as it is now (waiting for an erasure in progress) and drops the flag if it is erased.
 */
export class FlagsNameLiveClaimants1763771300000 implements MigrationInterface {
  name = 'FlagsNameLiveClaimants1763771300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION flag_names_live_claimant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.matched_claimant_id IS NULL THEN
          RETURN NEW;
        END IF;
        PERFORM 1 FROM claimants WHERE id = NEW.matched_claimant_id AND erased_at IS NULL FOR KEY SHARE;
        IF NOT FOUND THEN
          RETURN NULL;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER claimant_flags_name_live BEFORE INSERT ON claimant_flags
         FOR EACH ROW EXECUTE FUNCTION flag_names_live_claimant()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER claimant_flags_name_live ON claimant_flags`);
    await q.query(`DROP FUNCTION flag_names_live_claimant()`);
  }
}
