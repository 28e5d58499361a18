import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit retention: events past their `keep_until` can be purged, and only that way.
 *
 * A purge removes the oldest part of one chain (a prefix: the hash chain can only be cut at its
 * start) and records, in `audit_purges` (append-only as well), the id and hash of the last event it
 * removed: verification starts from that hash instead of the genesis hash, so the remaining chain
 * still proves that nothing after the cut was changed, inserted or removed.
 *
 * The database enforces it: DELETE on `audit_events` is refused unless the transaction says it is a
 * purge (`SET LOCAL jsi.audit_purge = 'on'`), the event is past `keep_until`, and a purge record of
 * the same chain already covers the event's id; a purge record is refused unless it is a real cut
 * (see audit_purges_check). UPDATE and TRUNCATE of either table stay refused.
 */
export class AuditRetention1763770900000 implements MigrationInterface {
  name = 'AuditRetention1763770900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_purges (
        id           bigserial PRIMARY KEY,
        firm_id      uuid,
        through_id   bigint NOT NULL,
        through_hash bytea NOT NULL,
        events       bigint NOT NULL CHECK (events > 0),
        purged_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_purges_chain_idx ON audit_purges (firm_id, through_id)`);
    await q.query(`
      CREATE TRIGGER audit_purges_no_update_delete BEFORE UPDATE OR DELETE ON audit_purges
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_purges_no_truncate BEFORE TRUNCATE ON audit_purges
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
    // A purge record must describe a real cut: past the chain's previous cut, short of its newest
    // event, at an event of that chain whose hash it copies, with nothing unexpired up to it.
    await q.query(`
      CREATE FUNCTION audit_purges_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cut_hash bytea;
      BEGIN
        IF NEW.firm_id IS NULL THEN
          SELECT hash INTO cut_hash FROM audit_events WHERE firm_id IS NULL AND id = NEW.through_id;
          IF cut_hash IS DISTINCT FROM NEW.through_hash
             OR EXISTS (SELECT 1 FROM audit_purges WHERE firm_id IS NULL AND through_id >= NEW.through_id)
             OR NOT EXISTS (SELECT 1 FROM audit_events WHERE firm_id IS NULL AND id > NEW.through_id)
             OR EXISTS (SELECT 1 FROM audit_events WHERE firm_id IS NULL AND id <= NEW.through_id
                          AND id > coalesce((SELECT max(through_id) FROM audit_purges WHERE firm_id IS NULL), 0)
                          AND keep_until >= now()) THEN
            RAISE EXCEPTION 'audit_purges: not a valid cut of the system chain' USING ERRCODE = 'insufficient_privilege';
          END IF;
        ELSE
          SELECT hash INTO cut_hash FROM audit_events WHERE firm_id = NEW.firm_id AND id = NEW.through_id;
          IF cut_hash IS DISTINCT FROM NEW.through_hash
             OR EXISTS (SELECT 1 FROM audit_purges WHERE firm_id = NEW.firm_id AND through_id >= NEW.through_id)
             OR NOT EXISTS (SELECT 1 FROM audit_events WHERE firm_id = NEW.firm_id AND id > NEW.through_id)
             OR EXISTS (SELECT 1 FROM audit_events WHERE firm_id = NEW.firm_id AND id <= NEW.through_id
                          AND id > coalesce((SELECT max(through_id) FROM audit_purges WHERE firm_id = NEW.firm_id), 0)
                          AND keep_until >= now()) THEN
            RAISE EXCEPTION 'audit_purges: not a valid cut of this chain' USING ERRCODE = 'insufficient_privilege';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_purges_valid_cut BEFORE INSERT ON audit_purges
        FOR EACH ROW EXECUTE FUNCTION audit_purges_check()`);
    // Branches on NULL so that both lookups use audit_purges_chain_idx.
    await q.query(`
      CREATE FUNCTION audit_events_purge_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        covered boolean;
      BEGIN
        IF OLD.firm_id IS NULL THEN
          covered := EXISTS (SELECT 1 FROM audit_purges p WHERE p.firm_id IS NULL AND p.through_id >= OLD.id);
        ELSE
          covered := EXISTS (SELECT 1 FROM audit_purges p WHERE p.firm_id = OLD.firm_id AND p.through_id >= OLD.id);
        END IF;
        IF current_setting('jsi.audit_purge', true) = 'on' AND OLD.keep_until < now() AND covered THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only (DELETE refused: only a purge of expired events may remove them)'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER audit_events_no_update_delete ON audit_events`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_purge_only BEFORE DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_purge_gate()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_events_purge_only ON audit_events`);
    await q.query(`DROP TRIGGER audit_events_no_update ON audit_events`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`DROP FUNCTION audit_events_purge_gate()`);
    await q.query(`DROP TABLE audit_purges`);
    await q.query(`DROP FUNCTION audit_purges_check()`);
  }
}
