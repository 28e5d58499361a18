import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence files are sealed (AES-256-GCM) under a per-file random data key; the row keeps that key
 * wrapped by the vault (`v<version>.<base64url>`, AAD = evidence id). Storage keys are random and
 * unique; hashes are lowercase hex SHA-256 of the plaintext.
 */
export class EvidenceCrypto1763769850000 implements MigrationInterface {
  name = 'EvidenceCrypto1763769850000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE evidence ADD COLUMN data_key_enc text`);
    await q.query(
      `ALTER TABLE evidence ADD CONSTRAINT evidence_data_key_enc_ck CHECK (data_key_enc IS NULL OR data_key_enc ~ '^v[0-9]{1,4}\\.[A-Za-z0-9_-]+$')`,
    );
    await q.query(`ALTER TABLE evidence ADD CONSTRAINT evidence_sha256_ck CHECK (sha256 ~ '^[0-9a-f]{64}$')`);
    await q.query(`CREATE UNIQUE INDEX evidence_storage_key_uq ON evidence (storage_key)`);
    // Per-claimant quota checks and the claimant's own list.
    await q.query(
      `CREATE INDEX evidence_claimant_live_idx ON evidence (claimant_id, created_at) WHERE deleted_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX evidence_claimant_live_idx`);
    await q.query(`DROP INDEX evidence_storage_key_uq`);
    await q.query(`ALTER TABLE evidence DROP CONSTRAINT evidence_sha256_ck`);
    await q.query(`ALTER TABLE evidence DROP CONSTRAINT evidence_data_key_enc_ck`);
    await q.query(`ALTER TABLE evidence DROP COLUMN data_key_enc`);
  }
}
