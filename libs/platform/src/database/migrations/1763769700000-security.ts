import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Security1763769700000 implements MigrationInterface {
  name = 'Security1763769700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE firms (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        settings   jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE staff (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id       uuid NOT NULL REFERENCES firms(id),
        email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        role          text NOT NULL CHECK (role IN ('admin', 'attorney', 'paralegal')),
        password_hash text NOT NULL,
        active        boolean NOT NULL DEFAULT true,
        suspended_at  timestamptz,
        suspended_reason text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX staff_email_uq ON staff (email)`);
    await q.query(`CREATE INDEX staff_firm_idx ON staff (firm_id, created_at, id)`);
    await q.query(`
      CREATE TABLE staff_sessions (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        staff_id      uuid NOT NULL REFERENCES staff(id),
        firm_id       uuid NOT NULL REFERENCES firms(id),
        token_hash    bytea NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        revoked_at    timestamptz,
        revoked_reason text,
        source_ip     text
      )`);
    await q.query(`CREATE UNIQUE INDEX staff_sessions_token_uq ON staff_sessions (token_hash)`);
    await q.query(`CREATE INDEX staff_sessions_live_idx ON staff_sessions (staff_id) WHERE revoked_at IS NULL`);

    // Append-only, hash-chained audit trail (one chain per firm; firm_id NULL for system events).
    await q.query(`
      CREATE TABLE audit_events (
        id           bigserial PRIMARY KEY,
        firm_id      uuid,
        at           timestamptz NOT NULL,
        actor_type   text NOT NULL CHECK (actor_type IN ('staff', 'claimant', 'system')),
        actor_id     uuid,
        action       text NOT NULL,
        subject_type text,
        subject_id   text,
        reason       text,
        source_ip    text,
        details      jsonb NOT NULL DEFAULT '{}'::jsonb,
        retention    text NOT NULL CHECK (retention IN ('access', 'rights', 'security')),
        keep_until   timestamptz NOT NULL,
        prev_hash    bytea NOT NULL,
        hash         bytea NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_firm_id_idx ON audit_events (firm_id, id)`);
    await q.query(`CREATE INDEX audit_actor_idx ON audit_events (firm_id, actor_id, id)`);
    await q.query(`CREATE INDEX audit_subject_idx ON audit_events (firm_id, subject_id, id)`);
    await q.query(`CREATE INDEX audit_action_idx ON audit_events (firm_id, action, id)`);
    await q.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_refuse_change()`);
    await q.query(`DROP TABLE staff_sessions`);
    await q.query(`DROP TABLE staff`);
    await q.query(`DROP TABLE firms`);
  }
}
