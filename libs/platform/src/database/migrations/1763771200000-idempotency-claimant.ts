import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links each Idempotency-Key to the claimant it created, so erasing that claimant (withdrawal,
 * merge) also removes the key's stored receipt (which holds the reference and the portal token)
 * and its request fingerprint; and indexes the keys by age for the worker's hourly purge of keys
 * past their day.
 */
export class IdempotencyClaimant1763771200000 implements MigrationInterface {
  name = 'IdempotencyClaimant1763771200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN claimant_id uuid`);
    await q.query(
      `CREATE INDEX idempotency_keys_claimant_idx ON idempotency_keys (claimant_id) WHERE claimant_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idempotency_keys_created_idx`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN claimant_id`);
  }
}
