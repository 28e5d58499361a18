import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import { nameBirthKey, type Vault } from '@app/security';
import { BIDX, blindIndexes, encryptClaimant } from '../claimant-fields';
import type { IntakeSubmission } from '../intake/intake-validator';
import { isReferenceCollision } from '../intake/claimant-insert';
import { newReference } from '../intake/reference';

/** A row error as the import reports it: CSV line, CSV column (or `row` / `file` / `header`), message. */
export interface ImportRowError {
  line: number;
  field: string;
  message: string;
}

/** Row errors kept on the import (the rest are counted in `error_count`). */
export const MAX_STORED_ERRORS = 1000;

/**
 * A valid row, sealed and ready to load: its id and its staging line (every column but the ordinal
 * and the reference, which is drawn when the batch is loaded), in COPY text format. Holding one
 * short ASCII string per row keeps a batch small in memory.
 */
export interface StagedRow {
  id: string;
  copy: string;
}

/** One batch of the file: its data records, the rows to load and the rejected rows' errors. */
export interface ImportBatch {
  /** Data records in this batch (valid, rejected and duplicate alike). */
  records: number;
  rows: StagedRow[];
  /** Rows that repeat an earlier row of this batch (not staged). */
  duplicates: number;
  rejected: number;
  errors: ImportRowError[];
  /** Physical line where the batch's last record ends. */
  lastLine: number;
  /** Plaintext bytes of the file consumed up to the batch's last record. */
  bytes: number;
}

/** What every claimant of one import shares. */
export interface ImportTarget {
  importId: string;
  firmId: string;
  caseId: string;
  /** When the firm requested the import: the attestation of its retainer. */
  requestedAt: Date;
}

export interface BatchOutcome {
  inserted: number;
  duplicates: number;
}

/** Someone else moved this import on (a second runner of a stalled job): stop without writing. */
export class ImportSupersededError extends Error {
  constructor() {
    super('the import was moved on by another runner');
    this.name = 'ImportSupersededError';
  }
}

/** COPY text format: NULL, bytea in hex (`\x`, its backslash doubled for COPY) and bytea[] (doubled again). */
const NULL = '\\N';
const bytea = (b: Buffer): string => `\\\\x${b.toString('hex')}`;
const byteaArray = (list: Buffer[]): string => `{${list.map((b) => `\\\\\\\\x${b.toString('hex')}`).join(',')}}`;

/**
 * Seals a valid row for loading, or returns undefined when it repeats an earlier row of the batch
 * (same phone, email or name + birth date; `seen` holds the batch's keys). The blind indexes come
 * first, so a repeated row costs no encryption. While a key rotation runs, the row also carries its
 * blind indexes under the older keys, so it still matches claimants not yet re-indexed.
 */
export function stageRow(vault: Vault, s: IntakeSubmission, seen: Set<string>): StagedRow | undefined {
  const bidx = blindIndexes(vault, s);
  const keys = [
    `p${bidx.phone_bidx.toString('latin1')}`,
    `e${bidx.email_bidx.toString('latin1')}`,
    `n${bidx.name_birth_bidx.toString('latin1')}`,
  ];
  if (keys.some((k) => seen.has(k))) return undefined;
  for (const k of keys) seen.add(k);
  const id = randomUUID();
  const enc = encryptClaimant(vault, id, s);
  const older =
    vault.versionsNewestFirst.length > 1
      ? [
          ...vault.blindIndexCandidates(BIDX.phone, s.phone).slice(1),
          ...vault.blindIndexCandidates(BIDX.email, s.email).slice(1),
          ...vault.blindIndexCandidates(BIDX.nameBirth, nameBirthKey(s.name, s.birthDate)).slice(1),
        ]
      : [];
  // Every value is ciphertext (base64url), hex, a date, a UUID or a fixed category name: nothing
  // here can hold a tab, a newline or a backslash, so no further COPY escaping is needed.
  const copy = [
    enc.name_enc,
    enc.birth_date_enc,
    enc.phone_enc,
    enc.email_enc,
    enc.address_enc,
    enc.harms_enc,
    bytea(bidx.name_bidx),
    bytea(bidx.phone_bidx),
    bytea(bidx.email_bidx),
    bytea(bidx.name_birth_bidx),
    bytea(bidx.address_bidx),
    `{${s.exposedData.join(',')}}`,
    s.noticeReceivedOn ?? NULL,
    older.length > 0 ? byteaArray(older) : NULL,
  ].join('\t');
  return { id, copy };
}

const STAGE_COLUMNS =
  'ord, id, reference, name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc, ' +
  'name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, exposed, notice, older_keys';

/** On the writer's connection (temporary tables live per connection); each batch's merge empties it. */
const CREATE_STAGE = `
  CREATE TEMP TABLE IF NOT EXISTS import_stage (
    ord int NOT NULL, id uuid NOT NULL, reference text NOT NULL,
    name_enc text NOT NULL, birth_date_enc text NOT NULL, phone_enc text NOT NULL, email_enc text NOT NULL,
    address_enc text NOT NULL, harms_enc text NOT NULL,
    name_bidx bytea NOT NULL, phone_bidx bytea NOT NULL, email_bidx bytea NOT NULL, name_birth_bidx bytea NOT NULL,
    address_bidx bytea NOT NULL, exposed text[] NOT NULL, notice date, older_keys bytea[]
  )`;

/**
 * The whole batch as one statement, so one transaction and one round trip:
 * - `guard` locks the import row and goes on only from the expected checkpoint (a second runner of
 *   the same job waits here, then finds the checkpoint moved and writes nothing);
 * - `fresh` leaves out staged rows matching a claimant of the case (phone, email or name + birth
 *   date blind index; `OFFSET 0` keeps each NOT EXISTS a per-row probe of its (case_id, *_bidx)
 *   index: during a big import the statistics lag, and a planner that believes the case is small
 *   scans the whole case once per staged row);
 * - `ins` inserts the rest as `submitted` imports (a reference that collides fails the statement:
 *   the batch goes again with new references), `history` writes their status history;
 * - `checkpoint` advances the import's counters, `cleared` empties the staging table.
 */
const MERGE_STAGE = `
  WITH guard AS (
    SELECT id FROM imports WHERE id = $5 AND rows = $6 AND status = 'running' FOR UPDATE
  ), fresh AS (
    SELECT s.* FROM pg_temp.import_stage s
     WHERE EXISTS (SELECT 1 FROM guard)
       AND NOT EXISTS (SELECT 1 FROM claimants c WHERE c.case_id = $1 AND c.phone_bidx = s.phone_bidx OFFSET 0)
       AND NOT EXISTS (SELECT 1 FROM claimants c WHERE c.case_id = $1 AND c.email_bidx = s.email_bidx OFFSET 0)
       AND NOT EXISTS (
             SELECT 1 FROM claimants c WHERE c.case_id = $1 AND c.name_birth_bidx = s.name_birth_bidx OFFSET 0)
       AND (s.older_keys IS NULL OR (
             NOT EXISTS (SELECT 1 FROM claimants c WHERE c.case_id = $1 AND c.phone_bidx = ANY(s.older_keys))
         AND NOT EXISTS (SELECT 1 FROM claimants c WHERE c.case_id = $1 AND c.email_bidx = ANY(s.older_keys))
         AND NOT EXISTS (SELECT 1 FROM claimants c WHERE c.case_id = $1 AND c.name_birth_bidx = ANY(s.older_keys))))
  ), ins AS (
    INSERT INTO claimants (id, firm_id, case_id, reference, status, source,
           name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
           name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx,
           exposed_data, notice_received_on, declared_loss_krw, consents, attested_at)
    SELECT f.id, $2, $1, f.reference, 'submitted', 'import',
           f.name_enc, f.birth_date_enc, f.phone_enc, f.email_enc, f.address_enc, f.harms_enc,
           f.name_bidx, f.phone_bidx, f.email_bidx, f.name_birth_bidx, f.address_bidx,
           f.exposed, f.notice, 0, $3::jsonb, $4
      FROM fresh f ORDER BY f.ord
    RETURNING id
  ), history AS (
    INSERT INTO claimant_status_history (firm_id, claimant_id, from_status, to_status, actor_type, reason)
    SELECT $2, ins.id, NULL, 'submitted', 'system', 'imported' FROM ins
  ), checkpoint AS (
    UPDATE imports i
       SET rows = i.rows + $7, committed_line = $8,
           inserted = i.inserted + (SELECT count(*) FROM ins),
           duplicates = i.duplicates + $9 + ($10 - (SELECT count(*) FROM fresh)),
           rejected = i.rejected + $11, error_count = i.error_count + $12, errors = i.errors || $13::jsonb,
           progress = greatest(i.progress, $14)
      FROM guard g WHERE i.id = g.id
    RETURNING 1
  ), cleared AS (
    DELETE FROM pg_temp.import_stage
  )
  SELECT (SELECT count(*) FROM checkpoint)::int AS moved, (SELECT count(*) FROM fresh)::int AS fresh,
         (SELECT count(*) FROM ins)::int AS inserted`;

/**
 * Writes import batches over one connection held for the whole run (the staging table is a
 * temporary table, so it lives on that connection). Each batch: COPY its sealed rows into the
 * staging table, then one statement ({@link MERGE_STAGE}) that checks the checkpoint, leaves out
 * duplicates of the case, inserts the rest with their history and advances the checkpoint,
 * atomically. A retried job resumes after the last committed batch, so nothing is inserted twice.
 *
 * JIT is off on this connection while it writes: the planner cannot know the staging table's size
 * and prices the per-row probes high enough to JIT-compile the statement, which then costs more
 * (about a second) than running it.
 */
export class ImportWriter {
  private qr: QueryRunner | undefined;
  private client: PoolClient | undefined;
  /** False after a failed batch: the staging table may hold its rows. */
  private clean = false;

  constructor(
    private readonly ds: DataSource,
    private readonly target: ImportTarget,
  ) {}

  async open(): Promise<void> {
    this.qr = this.ds.createQueryRunner();
    this.client = (await this.qr.connect()) as PoolClient;
    await this.client.query(CREATE_STAGE);
    await this.client.query(`TRUNCATE pg_temp.import_stage`);
    await this.client.query(`SET jit = off`);
    this.clean = true;
  }

  /** Gives the connection back as it was found. */
  async close(): Promise<void> {
    const qr = this.qr;
    if (!qr) return;
    this.qr = undefined;
    try {
      await this.client?.query(`DROP TABLE IF EXISTS pg_temp.import_stage`);
      await this.client?.query(`RESET jit`);
    } finally {
      this.client = undefined;
      await qr.release();
    }
  }

  async commit(
    batch: ImportBatch,
    checkpoint: { rowsBefore: number; progress: number; errorRoom: number },
  ): Promise<BatchOutcome> {
    // A fresh reference collides with one of the case about once in 10^8 imports of 10^5 rows;
    // then the batch goes again with new references.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tryCommit(batch, checkpoint);
      } catch (err) {
        if (attempt >= 5 || !isReferenceCollision(err)) throw err;
      }
    }
  }

  private async tryCommit(
    batch: ImportBatch,
    checkpoint: { rowsBefore: number; progress: number; errorRoom: number },
  ): Promise<BatchOutcome> {
    const t = this.target;
    const client = this.client;
    if (!client) throw new Error('ImportWriter.open() first');
    if (!this.clean) await client.query(`TRUNCATE pg_temp.import_stage`);
    this.clean = false;
    if (batch.rows.length > 0) await this.stage(client, batch.rows);
    const merged = await client.query<{ moved: number; fresh: number; inserted: number }>(MERGE_STAGE, [
      t.caseId,
      t.firmId,
      JSON.stringify({ source: 'import', importId: t.importId }),
      t.requestedAt,
      t.importId,
      checkpoint.rowsBefore,
      batch.records,
      batch.lastLine,
      batch.duplicates,
      batch.rows.length,
      batch.rejected,
      batch.errors.length,
      JSON.stringify(batch.errors.slice(0, Math.max(0, checkpoint.errorRoom))),
      checkpoint.progress,
    ]);
    this.clean = true;
    const r = merged.rows[0];
    if (r.moved !== 1) throw new ImportSupersededError();
    return { inserted: r.inserted, duplicates: batch.duplicates + (batch.rows.length - r.fresh) };
  }

  /** COPY the batch into the staging table (fresh references drawn here). */
  private async stage(client: PoolClient, rows: readonly StagedRow[]): Promise<void> {
    let text = '';
    rows.forEach((r, i) => {
      text += `${i}\t${r.id}\t${newReference()}\t${r.copy}\n`;
    });
    await pipeline(
      Readable.from([text]),
      client.query(copyFrom(`COPY pg_temp.import_stage (${STAGE_COLUMNS}) FROM STDIN`)),
    );
  }
}
