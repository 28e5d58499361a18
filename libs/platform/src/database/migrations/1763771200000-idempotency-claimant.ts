import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links each Idempotency-Key to the claimant it created, so erasing that claimant (withdrawal,
 * merge) also removes the key's stored receipt (which holds the reference and the portal token)
 * and its request fingerprint.
 */
export class IdempotencyClaimant1763771200000 implements MigrationInterface {
  name = 'IdempotencyClaimant1763771200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN claimant_id uuid`);
    await q.query(
      `CREATE INDEX idempotency_keys_claimant_idx ON idempotency_keys (claimant_id) WHERE claimant_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN claimant_id`);
  }
}
