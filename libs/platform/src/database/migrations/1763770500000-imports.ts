import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk imports: the uploaded CSV is stored sealed under a per-file random data key that the row keeps
 * wrapped by the vault (AAD = import id). The job commits each batch of claimants together with its
 * checkpoint (`rows` data records and `committed_line` consumed), so a retried job resumes after it.
 * `errors` keeps the first 1,000 row errors; `error_count` counts them all.
 */
export class Imports1763770500000 implements MigrationInterface {
  name = 'Imports1763770500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports ADD COLUMN data_key_enc text`);
    await q.query(
      `ALTER TABLE imports ADD CONSTRAINT imports_data_key_enc_ck CHECK (data_key_enc IS NULL OR data_key_enc ~ '^v[0-9]{1,4}\\.[A-Za-z0-9_-]+$')`,
    );
    await q.query(`ALTER TABLE imports ADD COLUMN bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0)`);
    await q.query(`ALTER TABLE imports ADD COLUMN sha256 text CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$')`);
    await q.query(
      `ALTER TABLE imports ADD COLUMN committed_line integer NOT NULL DEFAULT 0 CHECK (committed_line >= 0)`,
    );
    await q.query(`ALTER TABLE imports ADD COLUMN error_count integer NOT NULL DEFAULT 0 CHECK (error_count >= 0)`);
    await q.query(`ALTER TABLE imports ADD COLUMN attempts integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE imports ADD COLUMN started_at timestamptz`);
    await q.query(`ALTER TABLE imports ADD COLUMN file_deleted_at timestamptz`);
    await q.query(`CREATE UNIQUE INDEX imports_storage_key_uq ON imports (storage_key)`);
    await q.query(`CREATE INDEX imports_case_idx ON imports (case_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX imports_case_idx`);
    await q.query(`DROP INDEX imports_storage_key_uq`);
    for (const c of ['file_deleted_at', 'started_at', 'attempts', 'error_count', 'committed_line', 'sha256', 'bytes']) {
      await q.query(`ALTER TABLE imports DROP COLUMN ${c}`);
    }
    await q.query(`ALTER TABLE imports DROP CONSTRAINT imports_data_key_enc_ck`);
    await q.query(`ALTER TABLE imports DROP COLUMN data_key_enc`);
  }
}
