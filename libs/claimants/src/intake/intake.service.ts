import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseService, type CaseRecord } from '@app/cases';
import {
  APP_CONFIG,
  DomainError,
  GroupCommit,
  NotFoundError,
  ValidationError,
  sidePool,
  type AppConfig,
} from '@app/platform';
import { RateLimiter, Vault, addressSubject, canonicalJson, hashToken, newToken, type FirmScope } from '@app/security';
import { BIDX, sealClaimant } from '../claimant-fields';
import {
  insertClaimants,
  type ClaimantInsert,
  type ClaimantInsertOutcome,
  type VelocitySettings,
} from './claimant-insert';
import { validateIntake, type IntakeSubmission } from './intake-validator';
import { IDEMPOTENCY_KEY_TTL_HOURS } from './idempotency-key-purge';
import { insertKeyedClaimants, type KeyedInsert, type KeyedInsertOutcome } from './keyed-insert';
import { CLAIMANT_TOKEN_PREFIX, newReference } from './reference';

export interface IntakeReceipt {
  reference: string;
  claimantToken: string;
  status: 'submitted';
}

export interface IntakeResult {
  statusCode: 201;
  body: IntakeReceipt;
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Where a key's receipt is sealed: bound to the case and the key, so it opens nowhere else. */
function receiptLocation(caseId: string, key: string): { table: string; column: string; rowId: string } {
  return { table: 'idempotency_keys', column: 'response_enc', rowId: `${caseId}:${key}` };
}

export function consentKeys(kase: Pick<CaseRecord, 'consents'>): { required: string[]; optional: string[] } {
  return {
    required: kase.consents.filter((c) => c.required).map((c) => c.key),
    optional: kase.consents.filter((c) => !c.required).map((c) => c.key),
  };
}

export interface NewClaimant {
  firmId: FirmScope;
  kase: CaseRecord;
  submission: IntakeSubmission;
  source: 'form' | 'import';
  sourceIp: string | null;
  consentedAt: Date;
}

@Injectable()
export class IntakeService implements OnApplicationShutdown {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cases: CaseService,
    private readonly vault: Vault,
    private readonly limiter: RateLimiter,
  ) {
    this.velocity = { windowMinutes: config.velocityWindowMinutes, max: config.velocityMaxPerAddress };
    const batching = { maxBatch: config.intakeBatchMax, maxInFlight: config.intakeBatchInFlight };
    this.group = new GroupCommit((rows) => insertClaimants(this.pool(), rows, this.velocity), batching);
    this.keyed = new GroupCommit((items) => insertKeyedClaimants(this.pool(), items, this.velocity), batching);
  }

  private readonly velocity: VelocitySettings;
  /** Submissions without an Idempotency-Key: concurrent ones share a statement and a commit. */
  private readonly group: GroupCommit<ClaimantInsert, ClaimantInsertOutcome>;
  /** Submissions with an Idempotency-Key: concurrent ones share a statement. */
  private readonly keyed: GroupCommit<KeyedInsert, KeyedInsertOutcome>;
  private groupPool: Pool | undefined;
  private closed = false;

  /**
   * The group commit's own connections (one per statement in flight), opened on first use. They
   * keep the intake statement's generic plan: left to choose, PostgreSQL plans it afresh for every
   * batch size, and planning cost more than running it (about 0.8 ms of 1.3 ms for one claimant).
   */
  private pool(): Pool {
    if (this.closed) throw new Error('the API is shutting down');
    this.groupPool ??= sidePool(this.ds, {
      name: 'intake',
      // Statements in flight: those of the public form, and those of keyed submissions.
      max: 2 * this.config.intakeBatchInFlight,
      settings: { plan_cache_mode: 'force_generic_plan' },
    });
    return this.groupPool;
  }

  async onApplicationShutdown(): Promise<void> {
    // The HTTP server has drained by now; a straggler must not open a pool nobody would end.
    this.closed = true;
    const pool = this.groupPool;
    this.groupPool = undefined;
    await pool?.end();
  }

  /**
   * The public form. Idempotency-Key with Stripe semantics: the same key and body replay the first
   * response (one claimant, even for concurrent retries: the second insert of the key waits on the
   * first transaction's unique index entry); the same key with another body is 422.
   */
  async submit(
    slug: string,
    body: unknown,
    idempotencyKey: string | undefined,
    sourceIp: string,
  ): Promise<IntakeResult> {
    // One source for the limit and the velocity check: an IPv4 address, or an IPv6 /64.
    const source = addressSubject(sourceIp);
    await this.limiter.hit(
      {
        bucket: 'intake:address',
        max: this.config.intakeMaxPerAddress,
        windowSeconds: this.config.intakeWindowSeconds,
      },
      source,
    );
    const kase = await this.cases.findBySlugCached(slug);
    if (!kase) throw new NotFoundError('Case');
    const validKey = idempotencyKey !== undefined && IDEMPOTENCY_KEY.test(idempotencyKey);
    const keys = consentKeys(kase);
    const validate = () => validateIntake(body, { requiredConsents: keys.required, optionalConsents: keys.optional });
    if (!kase.intakeOpen) {
      // A retry of a submission that went through still gets its answer (Stripe's semantics): the
      // first response may have been lost on the way to a phone just before intake closed. The key
      // is looked up first; only then is the body checked (it must be a valid form) and compared.
      const stored = validKey
        ? await this.storedAnswer(kase.id, idempotencyKey, () => (validate().ok ? canonicalJson(body) : undefined))
        : undefined;
      if (stored?.kind === 'receipt') return { statusCode: 201, body: stored.receipt, replayed: true };
      throw new DomainError('INTAKE_CLOSED', 'This case is not taking new claimants');
    }
    if (idempotencyKey !== undefined && !validKey) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    const checked = validate();
    if (!checked.ok) {
      if (checked.under14) {
        throw new DomainError('UNDER_14', 'Claimants under 14 need a legal guardian to apply for them', checked.errors);
      }
      throw new ValidationError(checked.errors);
    }
    const newClaimant: NewClaimant = {
      firmId: kase.firmId,
      kase,
      submission: checked.value,
      source: 'form',
      sourceIp: source,
      consentedAt: new Date(),
    };
    if (idempotencyKey === undefined) {
      // The common case: the group commit, no explicit transaction.
      const created = await this.create(newClaimant);
      return {
        statusCode: 201,
        body: { reference: created.reference, claimantToken: created.token, status: 'submitted' },
        replayed: false,
      };
    }
    return this.submitKeyed(newClaimant, idempotencyKey, canonicalJson(body));
  }

  /**
   * A keyed submission through its own group commit: claim the key with its encrypted receipt and
   * insert, in one statement per batch. A key another submission holds answers with what that one
   * stored: its receipt for the same body, 422 for another.
   */
  private async submitKeyed(n: NewClaimant, key: string, canonicalBody: string): Promise<IntakeResult> {
    const { row, token } = this.seal(n);
    // Keyed (HMAC under the vault), so the stored fingerprint of a body full of personal data cannot
    // be checked against a guessed person; a retry during a key rotation matches an older version.
    const requestHash = this.vault.blindIndex(BIDX.intakeRequest, canonicalBody);
    const at = receiptLocation(n.kase.id, key);
    return this.withFreshReference(row, async () => {
      const receipt: IntakeReceipt = { reference: row.reference, claimantToken: token, status: 'submitted' };
      const responseEnc = this.vault.encrypt(at, JSON.stringify(receipt));
      const out = await this.keyed.submit({ row, key, requestHash, responseEnc });
      if (out.kind === 'created') return { statusCode: 201, body: receipt, replayed: false };
      if (out.kind === 'collided') return undefined;
      const stored = await this.storedAnswer(n.kase.id, key, () => canonicalBody);
      switch (stored.kind) {
        case 'receipt':
          return { statusCode: 201, body: stored.receipt, replayed: true };
        case 'none': // released meanwhile (its holder's reference was taken): claim it again
          return undefined;
        case 'stale':
          // Keys live a day (as Stripe's): an older one is freed, and this request claims it anew.
          await this.ds.query(
            `DELETE FROM idempotency_keys WHERE case_id = $1 AND key = $2 AND created_at < now() - make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`,
            [n.kase.id, key],
          );
          return undefined;
        case 'other-body':
          throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
        case 'pending':
          throw new DomainError('CONFLICT', 'The first request with this key is still running');
      }
    });
  }

  /**
   * Whether a stored request fingerprint is this body's: an HMAC under any configured key version
   * (a retry during a key rotation), or, for keys stored before fingerprints were keyed (at most a
   * day old, 2026-11-30), the plain SHA-256 they held.
   */
  private sameRequest(stored: Buffer, canonicalBody: string): boolean {
    if (this.vault.blindIndexCandidates(BIDX.intakeRequest, canonicalBody).some((h) => h.equals(stored))) return true;
    return createHash('sha256').update(canonicalBody).digest().equals(stored);
  }

  /**
   * What an Idempotency-Key of the case holds for a submission of this body. `canonicalBody` gives
   * the body's canonical JSON, or undefined for a body that cannot be the stored one; it is called
   * only when the key exists.
   */
  private async storedAnswer(
    caseId: string,
    key: string,
    canonicalBody: () => string | undefined,
  ): Promise<
    | { kind: 'none' }
    | { kind: 'stale' }
    | { kind: 'other-body' }
    | { kind: 'pending' }
    | { kind: 'receipt'; receipt: IntakeReceipt }
  > {
    const rows = await this.ds.query<{ request_hash: Buffer; response_enc: string | null; stale: boolean }[]>(
      `SELECT request_hash, response_enc, created_at < now() - make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS}) AS stale
         FROM idempotency_keys WHERE case_id = $1 AND key = $2`,
      [caseId, key],
    );
    const prev = rows[0];
    if (!prev) return { kind: 'none' };
    if (prev.stale) return { kind: 'stale' };
    const canonical = canonicalBody();
    if (canonical === undefined || !this.sameRequest(prev.request_hash, canonical)) return { kind: 'other-body' };
    if (!prev.response_enc) return { kind: 'pending' };
    const receipt = JSON.parse(this.vault.decrypt(receiptLocation(caseId, key), prev.response_enc)) as IntakeReceipt;
    return { kind: 'receipt', receipt };
  }

  /**
   * Runs `attempt` with a freshly drawn reference on `row` until it gives an answer (undefined: the
   * reference was taken, or the key must be claimed again). A fresh reference collides with one of
   * the case about once in 10^9 submissions.
   */
  private async withFreshReference<T>(row: ClaimantInsert, attempt: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 5; i++) {
      row.reference = newReference();
      const answer = await attempt();
      if (answer !== undefined) return answer;
    }
    throw new Error('could not allocate a unique reference');
  }

  /** The claimant's row, encrypted and indexed, and its portal token (CPU only, no I/O). */
  private seal(n: NewClaimant): { row: ClaimantInsert; token: string } {
    const id = randomUUID();
    const token = newToken(CLAIMANT_TOKEN_PREFIX);
    const s = n.submission;
    const consents: Record<string, { given: boolean; version: string; at: string }> = {};
    for (const c of n.kase.consents) {
      if (s.consents[c.key] !== undefined) {
        consents[c.key] = { given: s.consents[c.key], version: c.version, at: n.consentedAt.toISOString() };
      }
    }
    const row: ClaimantInsert = {
      id,
      firmId: n.firmId,
      caseId: n.kase.id,
      reference: '',
      tokenHash: hashToken(token),
      source: n.source,
      sealed: sealClaimant(this.vault, id, s),
      sourceIpBidx: n.sourceIp ? this.vault.blindIndex(BIDX.sourceIp, n.sourceIp) : null,
      exposedData: s.exposedData,
      noticeReceivedOn: s.noticeReceivedOn,
      declaredLossKrw: s.harms.reduce((sum, h) => sum + h.lossKrw, 0),
      couponUsed: s.couponUsed,
      consents: JSON.stringify(consents),
      attestedAt: n.consentedAt,
    };
    return { row, token };
  }

  /**
   * Inserts one claimant (form or import) with its first history row and its duplicate/velocity
   * flags. In the caller's transaction when `tx` is given; otherwise through the group commit, where
   * concurrent submissions share one statement and one commit.
   */
  async create(
    n: NewClaimant,
    tx?: EntityManager,
  ): Promise<{ id: string; reference: string; token: string; flags: number }> {
    const { row, token } = this.seal(n);
    // See pool(): the same generic plan inside the caller's transaction.
    if (tx) await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
    // No audit-chain event here: a claimant submitting their own data is not a staff access, and
    // the submission is on record in the status history (actor claimant). Keeping the per-firm
    // chain lock off the public form's hot path is what lets intake scale.
    return this.withFreshReference(row, async () => {
      const out = tx ? (await insertClaimants(tx, [row], this.velocity))[0] : await this.group.submit(row);
      return out.created ? { id: row.id, reference: row.reference, token, flags: out.flags } : undefined;
    });
  }
}
