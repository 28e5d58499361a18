import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Filing batches. `POST /cases/:caseId/filings` freezes the selection into `filing_plaintiffs`
 * (number, amount) and the totals into `filings` in one transaction with its outbox row; the
 * `filings.render` job writes `filing_documents` (one row per kind and volume, so a re-run
 * duplicates nothing) and finally moves the plaintiffs approved -> filed.
 *
 * `filing_plaintiffs.open` is true while the filing stands (queued, rendering, ready) and false once
 * it failed: the partial unique index keeps a claimant out of two open filings.
 */
export class Filings1763770000000 implements MigrationInterface {
  name = 'Filings1763770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE filings (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        firm_id         uuid NOT NULL REFERENCES firms(id),
        case_id         uuid NOT NULL REFERENCES cases(id),
        label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
        status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'rendering', 'ready', 'failed')),
        progress        integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        e_filing        boolean NOT NULL,
        court           text NOT NULL CHECK (length(court) BETWEEN 1 AND 100),
        service_count   text NOT NULL DEFAULT 'all-parties'
                          CHECK (service_count IN ('all-parties', 'counsel-and-defendants')),
        defendants      integer NOT NULL DEFAULT 1 CHECK (defendants >= 1),
        plaintiffs      integer NOT NULL CHECK (plaintiffs >= 1),
        claim_value_krw bigint NOT NULL CHECK (claim_value_krw >= 0),
        division        text NOT NULL CHECK (division IN ('small', 'single', 'panel')),
        stamp_duty_krw  bigint NOT NULL CHECK (stamp_duty_krw >= 0),
        service_fee_krw bigint NOT NULL CHECK (service_fee_krw >= 0),
        render_input    jsonb NOT NULL,
        attempts        integer NOT NULL DEFAULT 0,
        failure         text,
        created_by      uuid NOT NULL REFERENCES staff(id),
        created_at      timestamptz NOT NULL DEFAULT now(),
        started_at      timestamptz,
        ready_at        timestamptz,
        failed_at       timestamptz
      )`);
    await q.query(`CREATE INDEX filings_case_idx ON filings (case_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX filings_firm_idx ON filings (firm_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE filing_plaintiffs (
        filing_id   uuid NOT NULL REFERENCES filings(id),
        claimant_id uuid NOT NULL REFERENCES claimants(id),
        number      integer NOT NULL CHECK (number >= 1),
        amount_krw  bigint NOT NULL CHECK (amount_krw >= 0),
        open        boolean NOT NULL DEFAULT true,
        PRIMARY KEY (filing_id, number)
      )`);
    // Two indexes only (both are maintained for every plaintiff frozen): the key above, which is
    // also the cursor's order, and this one, which keeps a claimant out of two open filings and
    // answers "is this claimant in an open filing?".
    await q.query(
      `CREATE UNIQUE INDEX filing_plaintiffs_open_claimant_uq ON filing_plaintiffs (claimant_id) WHERE open`,
    );

    // Documents are sealed (AES-256-GCM) under a per-document data key wrapped by the vault
    // (AAD = document id); sha256 and bytes describe the plaintext.
    await q.query(`
      CREATE TABLE filing_documents (
        id           uuid PRIMARY KEY,
        filing_id    uuid NOT NULL REFERENCES filings(id),
        kind         text NOT NULL CHECK (kind IN ('complaint', 'plaintiff-list', 'claim-table', 'evidence-list',
                                                   'party-list-xlsx', 'party-list-csv', 'manifest')),
        volume       integer NOT NULL CHECK (volume >= 1),
        volumes      integer NOT NULL CHECK (volumes >= volume),
        file_name    text NOT NULL,
        content_type text NOT NULL,
        pages        integer CHECK (pages >= 1),
        rows         integer CHECK (rows >= 0),
        bytes        bigint NOT NULL CHECK (bytes > 0),
        sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        storage_key  text NOT NULL,
        data_key_enc text NOT NULL CHECK (data_key_enc ~ '^v[0-9]{1,4}\\.[A-Za-z0-9_-]+$'),
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX filing_documents_uq ON filing_documents (filing_id, kind, volume)`);
    await q.query(`CREATE UNIQUE INDEX filing_documents_storage_key_uq ON filing_documents (storage_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE filing_documents`);
    await q.query(`DROP TABLE filing_plaintiffs`);
    await q.query(`DROP TABLE filings`);
  }
}
