import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseService, type CaseRecord } from '@app/cases';
import { APP_CONFIG, DomainError, NotFoundError, ValidationError, preparedQuery, type AppConfig } from '@app/platform';
import { RateLimiter, Vault, canonicalJson, hashToken, newToken, type FirmScope } from '@app/security';
import { BIDX, sealClaimant } from '../claimant-fields';
import { duplicateFlagCtes } from './duplicate-detector';
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

/** Where the duplicate check's inputs sit among the intake statement's parameters. */
const INTAKE_DUPLICATE_PARAMS = {
  caseId: 3,
  claimantId: 1,
  phone: 14,
  email: 15,
  nameBirth: 16,
  address: 17,
  sourceIp: 18,
  windowMinutes: 27,
  firmId: 2,
  velocityMax: 28,
};

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
export class IntakeService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cases: CaseService,
    private readonly vault: Vault,
    private readonly limiter: RateLimiter,
  ) {}

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
      const created = await this.create(this.ds, newClaimant);
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
      const created = await this.create(tx, newClaimant);
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

  /** Inserts one claimant (form or import) with history, flags and audit, in the caller's transaction. */
  async create(
    db: DataSource | EntityManager,
    n: NewClaimant,
  ): Promise<{ id: string; reference: string; token: string; flags: number }> {
    const id = randomUUID();
    const token = newToken(CLAIMANT_TOKEN_PREFIX);
    const s = n.submission;
    const sealed = sealClaimant(this.vault, id, {
      name: s.name,
      birthDate: s.birthDate,
      phone: s.phone,
      email: s.email,
      address: s.address,
      harms: s.harms,
    });
    const sourceIpBidx = n.sourceIp ? this.vault.blindIndex(BIDX.sourceIp, n.sourceIp) : null;
    const consents: Record<string, { given: boolean; version: string; at: string }> = {};
    for (const c of n.kase.consents) {
      if (s.consents[c.key] !== undefined) {
        consents[c.key] = { given: s.consents[c.key], version: c.version, at: n.consentedAt.toISOString() };
      }
    }
    const declaredLoss = s.harms.reduce((sum, h) => sum + h.lossKrw, 0);
    let reference = '';
    let flags = 0;
    for (let attempt = 0; attempt < 5 && !reference; attempt++) {
      const candidate = newReference();
      // One statement: the claimant, its first history row and its duplicate/velocity flags.
      const rows = await preparedQuery<{ created: number; flags: number }>(
        db,
        'claimant-intake-v2',
        `WITH c AS (
           INSERT INTO claimants (id, firm_id, case_id, reference, token_hash, status, source,
             name_enc, birth_date_enc, phone_enc, email_enc, address_enc, harms_enc,
             name_bidx, phone_bidx, email_bidx, name_birth_bidx, address_bidx, source_ip_bidx,
             exposed_data, notice_received_on, declared_loss_krw, coupon_used, consents, attested_at)
           VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                   $19, $20, $21, $22, $23::jsonb, $24)
           ON CONFLICT (case_id, reference) DO NOTHING RETURNING id, firm_id
         ), h AS (
           INSERT INTO claimant_status_history (firm_id, claimant_id, from_status, to_status, actor_type, reason)
           SELECT firm_id, id, NULL, 'submitted', $25, $26 FROM c RETURNING 1
         ), ${duplicateFlagCtes(INTAKE_DUPLICATE_PARAMS, 'EXISTS (SELECT 1 FROM c)')}
         SELECT (SELECT count(*) FROM c)::int AS created, (SELECT count(*) FROM dup_ins)::int AS flags`,
        [
          id,
          n.firmId,
          n.kase.id,
          candidate,
          hashToken(token),
          n.source,
          sealed.name_enc,
          sealed.birth_date_enc,
          sealed.phone_enc,
          sealed.email_enc,
          sealed.address_enc,
          sealed.harms_enc,
          sealed.name_bidx,
          sealed.phone_bidx,
          sealed.email_bidx,
          sealed.name_birth_bidx,
          sealed.address_bidx,
          sourceIpBidx,
          s.exposedData,
          s.noticeReceivedOn,
          declaredLoss,
          s.couponUsed,
          JSON.stringify(consents),
          n.consentedAt,
          n.source === 'form' ? 'claimant' : 'system',
          n.source === 'form' ? 'submitted online' : 'imported',
          this.config.velocityWindowMinutes,
          this.config.velocityMaxPerAddress,
        ],
      );
      flags = rows[0]?.flags ?? 0;
      if ((rows[0]?.created ?? 0) > 0) reference = candidate;
    }
    if (!reference) throw new Error('could not allocate a unique reference');
    // No audit-chain event here: a claimant submitting their own data is not a staff access, and
    // the submission is on record in the status history (actor claimant). Keeping the per-firm
    // chain lock off the public form's hot path is what lets intake scale.
    return { id, reference, token, flags };
  }
}
