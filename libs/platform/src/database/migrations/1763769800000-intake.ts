import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Intake1763769800000 implements MigrationInterface {
  name = 'Intake1763769800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cases (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id        uuid NOT NULL REFERENCES firms(id),
        slug           text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$'),
        title          text NOT NULL,
        court          text NOT NULL,
        defendant      jsonb NOT NULL,
        intake_open    boolean NOT NULL DEFAULT true,
        evidence_kinds text[] NOT NULL,
        consents       jsonb NOT NULL,
        settings       jsonb NOT NULL DEFAULT '{}'::jsonb,
        rule_version   integer NOT NULL DEFAULT 1,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX cases_slug_uq ON cases (slug)`);
    await q.query(`CREATE INDEX cases_firm_idx ON cases (firm_id, created_at, id)`);
    await q.query(`
      CREATE TABLE case_rule_versions (
        case_id    uuid NOT NULL REFERENCES cases(id),
        version    integer NOT NULL,
        rules      jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        PRIMARY KEY (case_id, version)
      )`);

    // Personal fields are vault ciphertext (text "v<k>.<base64url>"); *_bidx are blind indexes.
    await q.query(`
      CREATE TABLE claimants (
        id                 uuid PRIMARY KEY,
        firm_id            uuid NOT NULL REFERENCES firms(id),
        case_id            uuid NOT NULL REFERENCES cases(id),
        reference          text NOT NULL,
        token_hash         bytea,
        status             text NOT NULL CHECK (status IN
                             ('submitted', 'under_review', 'approved', 'needs_info', 'rejected', 'filed', 'withdrawn')),
        source             text NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'import')),
        name_enc           text,
        birth_date_enc     text,
        phone_enc          text,
        email_enc          text,
        address_enc        text,
        harms_enc          text,
        name_bidx          bytea,
        phone_bidx         bytea,
        email_bidx         bytea,
        name_birth_bidx    bytea,
        address_bidx       bytea,
        source_ip_bidx     bytea,
        exposed_data       text[] NOT NULL DEFAULT '{}',
        notice_received_on date,
        declared_loss_krw  bigint NOT NULL DEFAULT 0 CHECK (declared_loss_krw >= 0),
        coupon_used        boolean,
        consents           jsonb NOT NULL DEFAULT '{}'::jsonb,
        attested_at        timestamptz,
        claim_amount_krw   bigint,
        claim_breakdown    jsonb,
        claim_rule_version integer,
        merged_into        uuid REFERENCES claimants(id),
        erased_at          timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX claimants_reference_uq ON claimants (case_id, reference)`);
    await q.query(`CREATE UNIQUE INDEX claimants_token_uq ON claimants (token_hash) WHERE token_hash IS NOT NULL`);
    await q.query(`CREATE INDEX claimants_case_page_idx ON claimants (case_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX claimants_case_status_idx ON claimants (case_id, status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX claimants_phone_idx ON claimants (case_id, phone_bidx) WHERE phone_bidx IS NOT NULL`);
    await q.query(`CREATE INDEX claimants_email_idx ON claimants (case_id, email_bidx) WHERE email_bidx IS NOT NULL`);
    await q.query(`CREATE INDEX claimants_name_idx ON claimants (case_id, name_bidx) WHERE name_bidx IS NOT NULL`);
    await q.query(
      `CREATE INDEX claimants_name_birth_idx ON claimants (case_id, name_birth_bidx) WHERE name_birth_bidx IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX claimants_address_idx ON claimants (case_id, address_bidx) WHERE address_bidx IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX claimants_source_ip_idx ON claimants (case_id, source_ip_bidx, created_at) WHERE source_ip_bidx IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE claimant_flags (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id             uuid NOT NULL REFERENCES firms(id),
        case_id             uuid NOT NULL REFERENCES cases(id),
        claimant_id         uuid NOT NULL REFERENCES claimants(id),
        kind                text NOT NULL CHECK (kind IN ('possible_duplicate', 'velocity')),
        signal              text NOT NULL,
        matched_claimant_id uuid REFERENCES claimants(id),
        status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'merged')),
        reason              text,
        resolved_by         uuid,
        resolved_at         timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX claimant_flags_claimant_idx ON claimant_flags (claimant_id)`);
    await q.query(`CREATE INDEX claimant_flags_open_idx ON claimant_flags (case_id, kind) WHERE status = 'open'`);
    await q.query(`
      CREATE UNIQUE INDEX claimant_flags_uq ON claimant_flags (claimant_id, kind, signal, coalesce(matched_claimant_id, claimant_id))
    `);

    await q.query(`
      CREATE TABLE claimant_status_history (
        id          bigserial PRIMARY KEY,
        firm_id     uuid NOT NULL REFERENCES firms(id),
        claimant_id uuid NOT NULL REFERENCES claimants(id),
        from_status text,
        to_status   text NOT NULL,
        actor_type  text NOT NULL CHECK (actor_type IN ('staff', 'claimant', 'system')),
        actor_id    uuid,
        reason      text,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX claimant_status_history_idx ON claimant_status_history (claimant_id, id)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        case_id       uuid NOT NULL REFERENCES cases(id),
        key           text NOT NULL,
        request_hash  bytea NOT NULL,
        status_code   integer,
        response_enc  text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (case_id, key)
      )`);

    await q.query(`
      CREATE TABLE claimant_sessions (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        claimant_id  uuid NOT NULL REFERENCES claimants(id),
        token_hash   bytea NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX claimant_sessions_token_uq ON claimant_sessions (token_hash)`);

    await q.query(`
      CREATE TABLE evidence (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id      uuid NOT NULL REFERENCES firms(id),
        case_id      uuid NOT NULL REFERENCES cases(id),
        claimant_id  uuid REFERENCES claimants(id),
        kind         text NOT NULL,
        content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'application/pdf')),
        bytes        bigint NOT NULL CHECK (bytes > 0),
        sha256       text NOT NULL,
        storage_key  text NOT NULL,
        status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
        loss_krw     bigint NOT NULL DEFAULT 0 CHECK (loss_krw >= 0),
        review_reason text,
        reviewed_by  uuid,
        reviewed_at  timestamptz,
        label        text,
        deleted_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX evidence_claimant_idx ON evidence (claimant_id, created_at)`);
    await q.query(`CREATE INDEX evidence_case_status_idx ON evidence (case_id, status)`);

    await q.query(`
      CREATE TABLE imports (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id     uuid NOT NULL REFERENCES firms(id),
        case_id     uuid NOT NULL REFERENCES cases(id),
        created_by  uuid NOT NULL,
        storage_key text NOT NULL,
        status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        rows        integer NOT NULL DEFAULT 0,
        inserted    integer NOT NULL DEFAULT 0,
        duplicates  integer NOT NULL DEFAULT 0,
        rejected    integer NOT NULL DEFAULT 0,
        progress    integer NOT NULL DEFAULT 0,
        errors      jsonb NOT NULL DEFAULT '[]'::jsonb,
        failure     text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'imports',
      'evidence',
      'claimant_sessions',
      'idempotency_keys',
      'claimant_status_history',
      'claimant_flags',
      'claimants',
      'case_rule_versions',
      'cases',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
