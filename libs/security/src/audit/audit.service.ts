import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, ADVISORY_LOCK, ValidationError, queryRows, type AppConfig } from '@app/platform';
import type { ActorType, FirmScope } from '../tenancy';
import { GENESIS_HASH, auditBody, auditHash, canonicalJson, chainHash, type AuditHashFields } from './audit-hash';

/**
 * access: reads and exports of personal data (kept 2 years); rights: grants, changes and revocations
 * of access (kept 3 years); security: logins, alarms, chain events (kept 3 years).
 */
export type AuditRetention = 'access' | 'rights' | 'security';

export interface AuditEventInput {
  firmId: FirmScope | null;
  actorType: ActorType;
  actorId: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  reason?: string;
  sourceIp?: string;
  /**
   * Ids, counts and codes only: never personal data. Not changed once passed (the events of one
   * append may share one object, whose texts are then worked out once).
   */
  details?: Record<string, string | number | boolean | null | string[]>;
  retention: AuditRetention;
}

export interface AuditEventView {
  id: string;
  at: string;
  firmId: string | null;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  sourceIp: string | null;
  details: unknown;
  keepUntil: string;
}

export interface AuditQuery {
  actorId?: string;
  subjectId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
}

interface AuditRow {
  id: string;
  firm_id: string | null;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  reason: string | null;
  source_ip: string | null;
  details: unknown;
  retention: string;
  keep_until: Date;
  prev_hash: Buffer;
  hash: Buffer;
}

const DAY_MS = 86_400_000;
/** Batches of at least this many events go in by COPY (one parse of plain text, no JSON to unpack). */
const COPY_MIN_ROWS = 64;
/** Rows per string handed to COPY (well under V8's large-object size). */
const COPY_CHUNK_ROWS = 64;
/** Events a purge reads (and re-verifies) per query. */
const PURGE_PAGE = 1000;
/** Events hashed between two turns of the event loop while a batch is being written. */
const YIELD_EVERY = 100;
const AUDIT_COLUMNS =
  'firm_id, at, actor_type, actor_id, action, subject_type, subject_id, reason, source_ip, details, retention, ' +
  'keep_until, prev_hash, hash';

/**
 * An event with everything but its place in the chain worked out ({@link AuditService.prepare}):
 * its stored fields (time stamped now), the canonical text its hash covers and its COPY line up to
 * the two hashes. Chaining it is then one SHA-256.
 */
interface PreparedAuditEvent {
  readonly fields: AuditHashFields;
  readonly body: string;
  readonly copyPrefix: string;
}

/** See {@link AuditService.prepare}. */
interface SharedParts {
  ms: number;
  days: number;
  at: string;
  keepUntil: string;
  details?: object;
  canonicalDetails: string;
  detailsJson: string;
}

interface ChainedEvent {
  event: PreparedAuditEvent;
  prev: Buffer;
  hash: Buffer;
}

/** A COPY text-format field: \N for null; backslash, tab, newline and carriage return escaped. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

/** Small batches (a single event, most often): one INSERT with the rows as one JSON parameter. */
async function insertAuditRows(tx: EntityManager, batch: readonly ChainedEvent[]): Promise<void> {
  const rows = batch.map(({ event: { fields: f }, prev, hash }) => ({
    firm_id: f.firmId,
    at: f.at.toISOString(),
    actor_type: f.actorType,
    actor_id: f.actorId,
    action: f.action,
    subject_type: f.subjectType,
    subject_id: f.subjectId,
    reason: f.reason,
    source_ip: f.sourceIp,
    details: f.details,
    retention: f.retention,
    keep_until: f.keepUntil.toISOString(),
    prev_hash: prev.toString('hex'),
    hash: hash.toString('hex'),
  }));
  await tx.query(
    `INSERT INTO audit_events (${AUDIT_COLUMNS})
     SELECT e.firm_id, e.at, e.actor_type, e.actor_id, e.action, e.subject_type, e.subject_id, e.reason,
            e.source_ip, coalesce(e.details, '{}'::jsonb), e.retention, e.keep_until,
            decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (firm_id uuid, at timestamptz, actor_type text,
              actor_id uuid, action text, subject_type text, subject_id text, reason text, source_ip text,
              details jsonb, retention text, keep_until timestamptz, prev_hash text, hash text))
            WITH ORDINALITY AS e(firm_id, at, actor_type, actor_id, action, subject_type, subject_id, reason,
                                 source_ip, details, retention, keep_until, prev_hash, hash, ord)
      ORDER BY e.ord`,
    [JSON.stringify(rows)],
  );
}

/** Large batches: COPY FROM STDIN on the transaction's own connection, rows in chain order. */
async function copyAuditRows(tx: EntityManager, batch: readonly ChainedEvent[]): Promise<void> {
  if (!tx.queryRunner) throw new Error('audit events are written inside a transaction');
  const client = (await tx.queryRunner.connect()) as PoolClient;
  // Sent in chunks of a few dozen rows: one string per batch would be large enough for V8 to place it
  // straight in the old generation, where it lingers until a full collection.
  const chunks: string[] = [];
  let text = '';
  for (let i = 0; i < batch.length; i++) {
    const { event, prev, hash } = batch[i];
    text += `${event.copyPrefix}\t\\\\x${prev.toString('hex')}\t\\\\x${hash.toString('hex')}\n`;
    if (i % COPY_CHUNK_ROWS === COPY_CHUNK_ROWS - 1) {
      chunks.push(text);
      text = '';
    }
  }
  if (text) chunks.push(text);
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY audit_events (${AUDIT_COLUMNS}) FROM STDIN`)));
}

function fieldsOf(r: AuditRow): AuditHashFields {
  return {
    firmId: r.firm_id,
    at: r.at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    reason: r.reason,
    sourceIp: r.source_ip,
    details: r.details,
    retention: r.retention,
    keepUntil: r.keep_until,
  };
}

/**
 * SQL condition selecting one chain (`firm_id = $n`, or `firm_id IS NULL` for the system chain), so
 * that the (firm_id, id) index serves it; `IS NOT DISTINCT FROM` would not. Its parameters:
 * {@link chainParams}.
 */
function chainIs(firmId: string | null, param: number): string {
  return firmId === null ? 'firm_id IS NULL' : `firm_id = $${param}::uuid`;
}

function chainParams(firmId: string | null): unknown[] {
  return firmId === null ? [] : [firmId];
}

/**
 * The tamper-evident audit trail. Events are appended in the caller's transaction (so an event
 * exists exactly when the change it records does), one hash chain per firm, serialized by a
 * transaction-scoped advisory lock on that firm's chain.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One event, chained after the last of its firm's chain, in the caller's transaction. */
  async record(tx: EntityManager, e: AuditEventInput): Promise<void> {
    await this.recordMany(tx, [e]);
  }

  /**
   * Appends many events in the caller's transaction, chained exactly as {@link record} would chain
   * them one by one, but taking each firm's chain lock once and inserting in multi-row batches
   * (COPY for large batches, one INSERT for small ones; rows kept in order, the next batch hashed while
   * the previous one is written) instead of a lock, a read and an insert per event: for set-based changes
   * such as 100,000 plaintiffs moving to `filed`. `events` may be lazy (a generator), so the caller
   * never has to hold them all. Returns how many events were written.
   */
  async recordMany(
    tx: EntityManager,
    events: Iterable<AuditEventInput> | AsyncIterable<AuditEventInput>,
    batchSize = 1000,
  ): Promise<number> {
    const heads = new Map<string, Buffer>();
    let batch: ChainedEvent[] = [];
    let written = 0;
    // At most one INSERT in flight: the next batch is hashed while PostgreSQL writes this one.
    let inflight: Promise<unknown> | undefined;
    const settle = async (): Promise<void> => {
      const pending = inflight;
      inflight = undefined;
      await pending;
    };
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await settle();
      inflight = rows.length >= COPY_MIN_ROWS ? copyAuditRows(tx, rows) : insertAuditRows(tx, rows);
      inflight.catch(() => undefined); // awaited by the next flush or at the end; no unhandled rejection meanwhile
      written += rows.length;
    };
    const shared: SharedParts = { ms: NaN, days: NaN, at: '', keepUntil: '', canonicalDetails: '', detailsJson: '' };
    for await (const input of events) {
      const event = this.prepare(input, shared);
      const firmId = event.fields.firmId;
      const chain = firmId ?? '';
      let prev = heads.get(chain);
      // Rows of this chain still in the batch are ours; the lock keeps others out until commit.
      if (prev === undefined) prev = (await this.lockChain(tx, firmId)).hash;
      const hash = chainHash(prev, event.body);
      batch.push({ event, prev, hash });
      heads.set(chain, hash);
      if (batch.length >= batchSize) await flush();
      // While a COPY is in flight, let the event loop run now and then: its rows go out only once the
      // server has answered the COPY command, and hashing alone never yields to I/O.
      else if (inflight && batch.length % YIELD_EVERY === 0)
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await flush();
    await settle();
    return written;
  }

  /**
   * Works out everything of an event but its place in the chain (see {@link PreparedAuditEvent}).
   * `shared` carries, from one event of an append to the next, the strings they tend to share (the
   * time stamps within a millisecond, the texts of one `details` object): a filing's 100,000 events
   * are hashed and sent while the firm's chain is held.
   */
  private prepare(e: AuditEventInput, shared: SharedParts): PreparedAuditEvent {
    const at = new Date();
    const days = e.retention === 'access' ? this.config.auditAccessRetentionDays : this.config.auditRightsRetentionDays;
    const ms = at.getTime();
    if (shared.ms !== ms || shared.days !== days) {
      shared.ms = ms;
      shared.days = days;
      shared.at = at.toISOString();
      shared.keepUntil = new Date(ms + days * DAY_MS).toISOString();
    }
    const details = e.details ?? {};
    if (shared.details !== details) {
      shared.details = details;
      shared.canonicalDetails = canonicalJson(details);
      shared.detailsJson = JSON.stringify(details);
    }
    const fields: AuditHashFields = {
      firmId: e.firmId,
      at,
      actorType: e.actorType,
      actorId: e.actorId,
      action: e.action,
      subjectType: e.subjectType ?? null,
      subjectId: e.subjectId ?? null,
      reason: e.reason ?? null,
      sourceIp: e.sourceIp ?? null,
      details,
      retention: e.retention,
      keepUntil: new Date(ms + days * DAY_MS),
    };
    const copyPrefix = [
      copyField(fields.firmId),
      shared.at,
      copyField(fields.actorType),
      copyField(fields.actorId),
      copyField(fields.action),
      copyField(fields.subjectType),
      copyField(fields.subjectId),
      copyField(fields.reason),
      copyField(fields.sourceIp),
      copyField(shared.detailsJson),
      copyField(fields.retention),
      shared.keepUntil,
    ].join('\t');
    const body = auditBody(fields, { at: shared.at, keepUntil: shared.keepUntil, details: shared.canonicalDetails });
    return { fields, body, copyPrefix };
  }

  /** Records in a transaction of its own (for events with no other change, e.g. a read). */
  recordNow(e: AuditEventInput): Promise<void> {
    return this.ds.transaction((tx) => this.record(tx, e));
  }

  async list(firmId: FirmScope, q: AuditQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const params: unknown[] = [firmId];
    const where = ['firm_id = $1'];
    const add = (sql: string, v: unknown): void => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.actorId) add('actor_id = ?', q.actorId);
    if (q.subjectId) add('subject_id = ?', q.subjectId);
    if (q.action) add('action = ?', q.action);
    if (q.from) add('at >= ?', q.from);
    if (q.to) add('at < ?', q.to);
    if (q.cursor) {
      if (!/^\d{1,18}$/.test(q.cursor)) throw new ValidationError([{ field: 'cursor', message: 'invalid cursor' }]);
      add('id < ?', q.cursor);
    }
    params.push(q.limit + 1);
    const rows = await this.ds.query<AuditRow[]>(
      `SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        firmId: r.firm_id,
        actorType: r.actor_type,
        actorId: r.actor_id,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        reason: r.reason,
        sourceIp: r.source_ip,
        details: r.details,
        keepUntil: r.keep_until.toISOString(),
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
    };
  }

  /**
   * Takes a chain's lock for the rest of the transaction (appends and purges of one chain take turns)
   * and returns its head: the newest event's id and hash, or the genesis hash of an empty chain.
   */
  private async lockChain(tx: EntityManager, firmId: string | null): Promise<{ id: string | null; hash: Buffer }> {
    // Exempt from the API's lock_timeout (set first, in the same statement, for the rest of the
    // transaction): the chain is held only while events are appended, however many, and a request
    // must then wait for it rather than fail as RECORD_BUSY.
    await tx.query(
      `SELECT set_config('lock_timeout', '0', true), pg_advisory_xact_lock($1::int, hashtext(coalesce($2::text, 'system')))`,
      [Number(ADVISORY_LOCK.auditChain), firmId],
    );
    const rows = await tx.query<{ id: string; hash: Buffer }[]>(
      `SELECT id, hash FROM audit_events WHERE ${chainIs(firmId, 1)} ORDER BY id DESC LIMIT 1`,
      chainParams(firmId),
    );
    return rows[0] ? { id: String(rows[0].id), hash: rows[0].hash } : { id: null, hash: GENESIS_HASH };
  }

  /** Where a chain's verification starts: after its latest purge (that purge's last hash), else genesis. */
  private async chainStart(db: EntityManager, firmId: FirmScope | null): Promise<{ after: string; prev: Buffer }> {
    const rows = await db.query<{ through_id: string; through_hash: Buffer }[]>(
      `SELECT through_id, through_hash FROM audit_purges WHERE ${chainIs(firmId, 1)}
        ORDER BY through_id DESC LIMIT 1`,
      chainParams(firmId),
    );
    return rows[0]
      ? { after: String(rows[0].through_id), prev: rows[0].through_hash }
      : { after: '0', prev: GENESIS_HASH };
  }

  /**
   * Removes the events of every chain that are past their `keep_until`, oldest first and only as a
   * prefix of the chain (the chain is cut at its start: an event still kept keeps every later event;
   * the newest event always stays, it is the chain's head). Each cut records the last removed event's
   * id and hash in `audit_purges` in the same transaction (verification starts there) and appends an
   * `audit.purged` event to the chain; at most `batch` events go per transaction. The database
   * refuses any other DELETE (see the AuditRetention migration).
   */
  async purgeExpired(batch = 20_000): Promise<{ chains: number; purged: number; failures: string[] }> {
    if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError('batch must be a positive integer');
    let purged = 0;
    let cut = 0;
    const failures: string[] = [];
    for (const firmId of await this.chains()) {
      try {
        // Another batch only while the last one was full: the event a cut appends is never cut in the same run.
        for (let n = batch; n === batch;) {
          n = await this.ds.transaction((tx) => this.purgeChainBatch(tx, firmId, batch));
          purged += n;
          if (n > 0) cut++;
        }
      } catch (err) {
        // one chain's trouble (a broken link, a lost connection) must not keep the others past retention
        failures.push(`chain ${firmId ?? 'system'}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { chains: cut, purged, failures };
  }

  /** One transaction of {@link purgeExpired} on one chain; returns how many events it removed. */
  private async purgeChainBatch(tx: EntityManager, firmId: FirmScope | null, batch: number): Promise<number> {
    const head = await this.lockChain(tx, firmId);
    if (head.id === null) return 0;
    const start = await this.chainStart(tx, firmId);
    const p = chainParams(firmId).length;
    // What goes must still verify: a purge never erases the evidence of tampering. Read in pages
    // from the last cut on, up to the first event still kept (usually the very first: nothing to do).
    let prev = start.prev;
    let after = start.after;
    let last: { id: string; hash: Buffer } | undefined;
    let events = 0;
    for (let done = false; !done && events < batch;) {
      const page = await tx.query<(AuditRow & { expired: boolean })[]>(
        `SELECT *, keep_until < now() AS expired FROM audit_events
          WHERE ${chainIs(firmId, 1)} AND id > $${p + 1} AND id < $${p + 2}
          ORDER BY id LIMIT $${p + 3}`,
        [...chainParams(firmId), after, head.id, Math.min(PURGE_PAGE, batch - events)],
      );
      done = page.length < Math.min(PURGE_PAGE, batch - events);
      for (const row of page) {
        if (!row.expired) {
          done = true;
          break;
        }
        if (!row.prev_hash.equals(prev) || !auditHash(prev, fieldsOf(row)).equals(row.hash)) {
          throw new Error(`audit chain broken at event ${row.id}: nothing purged from this chain`);
        }
        prev = row.hash;
        last = { id: String(row.id), hash: row.hash };
        events++;
      }
      after = last?.id ?? after;
    }
    if (!last) return 0;
    await tx.query(`SET LOCAL jsi.audit_purge = 'on'`);
    await tx.query(`INSERT INTO audit_purges (firm_id, through_id, through_hash, events) VALUES ($1, $2, $3, $4)`, [
      firmId,
      last.id,
      last.hash,
      events,
    ]);
    const removed = await queryRows<unknown>(
      tx,
      `DELETE FROM audit_events WHERE ${chainIs(firmId, 1)} AND id > $${p + 1} AND id <= $${p + 2} RETURNING 1`,
      [...chainParams(firmId), start.after, last.id],
    );
    if (removed.length !== events) throw new Error(`audit purge: removed ${removed.length} events, expected ${events}`);
    await tx.query(`RESET jsi.audit_purge`);
    await this.recordMany(tx, [
      {
        firmId,
        actorType: 'system',
        actorId: null,
        action: 'audit.purged',
        reason: 'retention period over',
        details: { events, throughId: String(last.id) },
        retention: 'security',
      },
    ]);
    return events;
  }

  /** Walks one chain (a firm's, or the system chain with null) and reports the first broken link. */
  async verify(firmId: FirmScope | null): Promise<AuditVerifyResult> {
    // One snapshot: a purge committing halfway through the walk must not look like a broken link.
    return this.ds.transaction('REPEATABLE READ', async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      const start = await this.chainStart(tx, firmId);
      const p = chainParams(firmId).length + 1;
      const leftBehind = await tx.query<{ id: string }[]>(
        `SELECT id FROM audit_events WHERE ${chainIs(firmId, 1)} AND id <= $${p} ORDER BY id LIMIT 1`,
        [...chainParams(firmId), start.after],
      );
      if (leftBehind[0]) return { ok: false, checked: 0, firstBrokenId: String(leftBehind[0].id) };
      let prev = start.prev;
      let checked = 0;
      let after = start.after;
      for (;;) {
        const rows = await tx.query<AuditRow[]>(
          `SELECT * FROM audit_events WHERE ${chainIs(firmId, 1)} AND id > $${p} ORDER BY id LIMIT 5000`,
          [...chainParams(firmId), after],
        );
        if (rows.length === 0) return { ok: true, checked, firstBrokenId: null };
        for (const r of rows) {
          if (!r.prev_hash.equals(prev) || !auditHash(prev, fieldsOf(r)).equals(r.hash)) {
            return { ok: false, checked, firstBrokenId: String(r.id) };
          }
          prev = r.hash;
          checked++;
        }
        after = String(rows[rows.length - 1].id);
      }
    });
  }

  /** Every chain in the database (operator command). */
  async verifyAll(): Promise<AuditVerifyResult & { chains: number }> {
    const chains = await this.chains();
    let checked = 0;
    for (const firmId of chains) {
      const r = await this.verify(firmId);
      checked += r.checked;
      if (!r.ok) return { ...r, checked, chains: chains.length };
    }
    return { ok: true, checked, firstBrokenId: null, chains: chains.length };
  }

  /** The chains that hold events: one per firm, and the system chain (null); index probes, no scan. */
  private async chains(): Promise<(FirmScope | null)[]> {
    const rows = await this.ds.query<{ firm_id: string | null }[]>(
      `SELECT f.id AS firm_id FROM firms f WHERE EXISTS (SELECT 1 FROM audit_events e WHERE e.firm_id = f.id)
       UNION ALL
       SELECT NULL WHERE EXISTS (SELECT 1 FROM audit_events WHERE firm_id IS NULL)`,
    );
    return rows.map((r) => r.firm_id as FirmScope | null);
  }
}
