import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim recomputes: one row per request of `POST /cases/:caseId/claims/recompute`, written with its
 * outbox row in one transaction; the `claims.recompute` job moves it queued -> running -> done | failed.
 * The results themselves live on the claimants (claim_amount_krw, claim_breakdown, claim_rule_version).
 */
export class Claims1763769900000 implements MigrationInterface {
  name = 'Claims1763769900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claim_recomputes (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id      uuid NOT NULL REFERENCES firms(id),
        case_id      uuid NOT NULL REFERENCES cases(id),
        rule_version integer NOT NULL CHECK (rule_version >= 1),
        status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        claimants    integer NOT NULL DEFAULT 0 CHECK (claimants >= 0),
        total_krw    bigint NOT NULL DEFAULT 0 CHECK (total_krw >= 0),
        changed      integer NOT NULL DEFAULT 0 CHECK (changed >= 0),
        cleared      integer NOT NULL DEFAULT 0 CHECK (cleared >= 0),
        attempts     integer NOT NULL DEFAULT 0,
        job_id       uuid,
        requested_by uuid,
        failure      text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        finished_at  timestamptz
      )`);
    await q.query(`CREATE INDEX claim_recomputes_case_idx ON claim_recomputes (case_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX claim_recomputes_case_done_idx ON claim_recomputes (case_id, finished_at DESC) WHERE status = 'done'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE claim_recomputes`);
  }
}
