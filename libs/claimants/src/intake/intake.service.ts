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
import { RateLimiter, Vault, canonicalJson, hashToken, newToken, type FirmScope } from '@app/security';
import { BIDX, sealClaimant } from '../claimant-fields';
import {
  insertClaimants,
  type ClaimantInsert,
  type ClaimantInsertOutcome,
  type VelocitySettings,
} from './claimant-insert';
import { validateIntake, type IntakeSubmission } from './intake-validator';
import { newReference } from './reference';

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
const CLAIMANT_TOKEN_PREFIX = 'jsic_';

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
    this.group = new GroupCommit((rows) => insertClaimants(this.pool(), rows, this.velocity), {
      maxBatch: config.intakeBatchMax,
      maxInFlight: config.intakeBatchInFlight,
    });
  }

  private readonly velocity: VelocitySettings;
  /** Submissions without an Idempotency-Key: concurrent ones share a statement and a commit. */
  private readonly group: GroupCommit<ClaimantInsert, ClaimantInsertOutcome>;
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
      max: this.config.intakeBatchInFlight,
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
    await this.limiter.hit(
      {
        bucket: 'intake:address',
        max: this.config.intakeMaxPerAddress,
        windowSeconds: this.config.intakeWindowSeconds,
      },
      sourceIp,
    );
    const kase = await this.cases.findBySlugCached(slug);
    if (!kase) throw new NotFoundError('Case');
    if (!kase.intakeOpen) throw new DomainError('INTAKE_CLOSED', 'This case is not taking new claimants');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    const keys = consentKeys(kase);
    const checked = validateIntake(body, { requiredConsents: keys.required, optionalConsents: keys.optional });
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
      sourceIp,
      consentedAt: new Date(),
    };
    if (idempotencyKey === undefined) {
      // The common case: one atomic statement, no explicit transaction.
      const created = await this.create(newClaimant);
      return {
        statusCode: 201,
        body: { reference: created.reference, claimantToken: created.token, status: 'submitted' },
        replayed: false,
      };
    }
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest();

    return this.ds.transaction(async (tx) => {
      const replay = await this.claimKey(tx, kase.id, idempotencyKey, requestHash);
      if (replay) return { statusCode: 201, body: replay, replayed: true };
      const created = await this.create(newClaimant, tx);
      const receipt: IntakeReceipt = {
        reference: created.reference,
        claimantToken: created.token,
        status: 'submitted',
      };
      await tx.query(
        `UPDATE idempotency_keys SET status_code = 201, response_enc = $3 WHERE case_id = $1 AND key = $2`,
        [
          kase.id,
          idempotencyKey,
          this.vault.encrypt(
            { table: 'idempotency_keys', column: 'response_enc', rowId: `${kase.id}:${idempotencyKey}` },
            JSON.stringify(receipt),
          ),
        ],
      );
      return { statusCode: 201, body: receipt, replayed: false };
    });
  }

  /** Returns the stored response to replay, or undefined when this request owns the key now. */
  private async claimKey(
    tx: EntityManager,
    caseId: string,
    key: string,
    requestHash: Buffer,
  ): Promise<IntakeReceipt | undefined> {
    await tx.query(
      `DELETE FROM idempotency_keys WHERE case_id = $1 AND key = $2 AND created_at < now() - interval '24 hours'`,
      [caseId, key],
    );
    const inserted = await tx.query<{ key: string }[]>(
      `INSERT INTO idempotency_keys (case_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (case_id, key) DO NOTHING RETURNING key`,
      [caseId, key, requestHash],
    );
    if (inserted.length > 0) return undefined;
    const rows = await tx.query<{ request_hash: Buffer; response_enc: string | null }[]>(
      `SELECT request_hash, response_enc FROM idempotency_keys WHERE case_id = $1 AND key = $2`,
      [caseId, key],
    );
    const prev = rows[0];
    if (!prev || !prev.request_hash.equals(requestHash)) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
    }
    if (!prev.response_enc) throw new DomainError('CONFLICT', 'The first request with this key is still running');
    return JSON.parse(
      this.vault.decrypt(
        { table: 'idempotency_keys', column: 'response_enc', rowId: `${caseId}:${key}` },
        prev.response_enc,
      ),
    ) as IntakeReceipt;
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
    // A fresh reference collides with one of the case about once in 10^9 submissions; then the
    // claimant goes again with another.
    for (let attempt = 0; attempt < 5; attempt++) {
      row.reference = newReference();
      let out: ClaimantInsertOutcome;
      if (tx) {
        // See pool(): the same generic plan inside the caller's transaction.
        await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
        [out] = await insertClaimants(tx, [row], this.velocity);
      } else {
        out = await this.group.submit(row);
      }
      if (out.created) return { id, reference: row.reference, token, flags: out.flags };
    }
    // No audit-chain event here: a claimant submitting their own data is not a staff access, and
    // the submission is on record in the status history (actor claimant). Keeping the per-firm
    // chain lock off the public form's hot path is what lets intake scale.
    throw new Error('could not allocate a unique reference');
  }
}
