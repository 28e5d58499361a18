import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763769600000 implements MigrationInterface {
  name = 'Foundation1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        queue          text NOT NULL,
        job_name       text NOT NULL,
        payload        jsonb NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        dispatched_at  timestamptz,
        dispatch_count integer NOT NULL DEFAULT 0,
        completed_at   timestamptz,
        failed_at      timestamptz,
        last_error     text
      )`);
    await q.query(
      `CREATE INDEX outbox_open_idx ON outbox (created_at) WHERE completed_at IS NULL AND failed_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE system_pings (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        requested_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        processed_by text,
        runs         integer NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE system_pings`);
    await q.query(`DROP TABLE outbox`);
  }
}
