import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, DomainError, NotFoundError, ValidationError, queryRows, type AppConfig } from '@app/platform';
import { claimResultJoinSql, currentClaimGeneration } from '@app/claims';
import {
  AuditService,
  RateLimiter,
  Vault,
  addressSubject,
  firmScope,
  hashToken,
  newToken,
  type FirmScope,
  type StaffPrincipal,
} from '@app/security';
import {
  CLAIMANTS_TABLE,
  CLAIMANT_ENCRYPTED_COLUMNS,
  blindIndexes,
  openClaimant,
  type EncryptedRow,
} from '../claimant-fields';
import { raiseDuplicateFlags } from '../intake/duplicate-detector';
import { validateIntake, type IntakeAddress } from '../intake/intake-validator';
import { CLAIMANT_TOKEN_PREFIX, normalizeReference } from '../intake/reference';
import { STATUS_LABEL_KO, type ClaimantStatus } from '../workflow/status';
import { ClaimantWorkflowService } from '../workflow/workflow.service';

export interface ClaimantPrincipal {
  kind: 'claimant';
  claimantId: string;
  /** The portal session the request came with. */
  sessionId: string;
  firmId: FirmScope;
  caseId: string;
  sourceIp: string;
}

const SESSION_PREFIX = 'jsicp_';

export interface ContactCorrection {
  phone?: string;
  email?: string;
  address?: IntakeAddress;
}

/** The claimant's own page: a session from reference + token, status, corrections, withdrawal. */
@Injectable()
export class ClaimantPortalService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vault: Vault,
    private readonly audit: AuditService,
    private readonly limiter: RateLimiter,
    private readonly workflow: ClaimantWorkflowService,
  ) {}

  async openSession(
    reference: string,
    claimantToken: string,
    sourceIp: string,
  ): Promise<{ token: string; expiresAt: string }> {
    const rule = { bucket: 'portal:address', max: this.config.portalMaxPerAddress, windowSeconds: 600 };
    await this.limiter.hit(rule, addressSubject(sourceIp));
    const token = newToken(SESSION_PREFIX);
    // One statement: the claimant row is share-locked as it is matched, so a token reissued or a
    // withdrawal committing meanwhile is seen (the row is matched again after it) and no session
    // is opened with a token that has just stopped working.
    const created = await this.ds.query<{ expires_at: Date | null }[]>(
      `WITH c AS (
         SELECT id FROM claimants
          WHERE token_hash = $1 AND reference = $2 AND merged_into IS NULL AND erased_at IS NULL
          FOR SHARE
       ), s AS (
         INSERT INTO claimant_sessions (claimant_id, token_hash, expires_at)
         SELECT id, $3, now() + make_interval(mins => $4) FROM c
         RETURNING expires_at
       )
       SELECT (SELECT expires_at FROM s) AS expires_at`,
      [hashToken(claimantToken), normalizeReference(reference), hashToken(token), this.config.claimantSessionMinutes],
    );
    if (!created[0]?.expires_at) throw new DomainError('INVALID_CREDENTIALS', 'Reference or token is incorrect');
    return { token, expiresAt: created[0].expires_at.toISOString() };
  }

  async authenticate(token: string, sourceIp: string): Promise<ClaimantPrincipal> {
    if (!token.startsWith(SESSION_PREFIX) || token.length > 100) {
      throw new DomainError('UNAUTHORIZED', 'A valid claimant session is required');
    }
    const rows = await this.ds.query<{ id: string; claimant_id: string; firm_id: string; case_id: string }[]>(
      `SELECT s.id, s.claimant_id, c.firm_id, c.case_id FROM claimant_sessions s JOIN claimants c ON c.id = s.claimant_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND c.merged_into IS NULL
          AND c.erased_at IS NULL`,
      [hashToken(token)],
    );
    const r = rows[0];
    if (!r) throw new DomainError('UNAUTHORIZED', 'A valid claimant session is required');
    return {
      kind: 'claimant',
      claimantId: r.claimant_id,
      sessionId: r.id,
      firmId: firmScope(r.firm_id),
      caseId: r.case_id,
      sourceIp,
    };
  }

  /**
   * A new portal token for a claimant who lost theirs, handed to the staff member who checked
   * who is asking (the firm's procedure): the old token and every session end, in one audited
   * transaction with the reason. Not for a withdrawn or merged claimant.
   */
  async reissueToken(
    actor: StaffPrincipal,
    caseId: string,
    id: string,
    reason: string,
  ): Promise<{ reference: string; claimantToken: string }> {
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<{ reference: string; status: ClaimantStatus }[]>(
        `SELECT reference, status FROM claimants
          WHERE firm_id = $1 AND case_id = $2 AND id = $3 AND merged_into IS NULL FOR UPDATE`,
        [actor.firmId, caseId, id],
      );
      const c = rows[0];
      if (!c) throw new NotFoundError('Claimant');
      if (c.status === 'withdrawn') throw new DomainError('CONFLICT', 'This claim was withdrawn; it has no portal');
      const claimantToken = newToken(CLAIMANT_TOKEN_PREFIX);
      await tx.query(`UPDATE claimants SET token_hash = $2, updated_at = now() WHERE id = $1`, [
        id,
        hashToken(claimantToken),
      ]);
      const ended = await queryRows<{ id: string }>(
        tx,
        `UPDATE claimant_sessions SET revoked_at = now() WHERE claimant_id = $1 AND revoked_at IS NULL RETURNING id`,
        [id],
      );
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'claimant.token_reissued',
        subjectType: 'claimant',
        subjectId: id,
        reason,
        sourceIp: actor.sourceIp,
        details: { caseId, sessionsEnded: ended.length },
        retention: 'access',
      });
      return { reference: c.reference, claimantToken };
    });
  }

  /** Ends this portal session (a shared or borrowed phone); the claimant token opens a new one. */
  async logout(p: ClaimantPrincipal): Promise<void> {
    await this.ds.query(`UPDATE claimant_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [
      p.sessionId,
    ]);
  }

  async me(p: ClaimantPrincipal): Promise<Record<string, unknown>> {
    const generation = await currentClaimGeneration(this.ds, p.caseId);
    const rows = await this.ds.query<{ reference: string; status: ClaimantStatus; claim_amount_krw: string | null }[]>(
      `SELECT c.reference, c.status, k.amount_krw AS claim_amount_krw
         FROM claimants c
         ${claimResultJoinSql(generation, 'c', 'k')}
        WHERE c.id = $1`,
      [p.claimantId],
    );
    const c = rows[0];
    const [history, evidence] = await Promise.all([
      this.ds.query<{ to_status: ClaimantStatus; at: Date }[]>(
        `SELECT to_status, at FROM claimant_status_history WHERE claimant_id = $1 AND (from_status IS DISTINCT FROM to_status) ORDER BY id`,
        [p.claimantId],
      ),
      this.ds.query<Record<string, unknown>[]>(
        `SELECT id, kind, sha256, bytes::float8 AS bytes, status, created_at AS "createdAt"
           FROM evidence WHERE claimant_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
        [p.claimantId],
      ),
    ]);
    return {
      reference: c.reference,
      status: c.status,
      statusLabel: STATUS_LABEL_KO[c.status],
      claimAmountKrw: c.claim_amount_krw === null ? null : Number(c.claim_amount_krw),
      evidence,
      history: history.map((h) => ({
        status: h.to_status,
        label: STATUS_LABEL_KO[h.to_status],
        at: h.at.toISOString(),
      })),
    };
  }

  /** Contact and address corrections: re-encrypted, re-indexed, duplicate checks re-run, audited. */
  async correct(p: ClaimantPrincipal, change: ContactCorrection): Promise<Record<string, unknown>> {
    await this.ds.transaction(async (tx) => {
      const rows = await tx.query<(EncryptedRow & { status: ClaimantStatus })[]>(
        `SELECT id, status, ${CLAIMANT_ENCRYPTED_COLUMNS.join(', ')} FROM claimants WHERE id = $1 FOR UPDATE`,
        [p.claimantId],
      );
      const row = rows[0];
      if (row.status === 'withdrawn') throw new DomainError('CONFLICT', 'This claim was withdrawn');
      const current = openClaimant(this.vault, row);
      // Validate the merged record with the very rules of the intake form.
      const checked = validateIntake(
        {
          name: current.name,
          birthDate: current.birthDate,
          phone: change.phone ?? current.phone,
          email: change.email ?? current.email,
          address: change.address ?? current.address,
          consents: {},
          attestation: true,
        },
        { requiredConsents: [], today: undefined },
      );
      if (!checked.ok) {
        const mine = checked.errors.filter((e) => /^(phone|email|address)/.test(e.field));
        throw new ValidationError(mine.length > 0 ? mine : checked.errors);
      }
      const v = checked.value;
      const at = (column: string) => ({ table: CLAIMANTS_TABLE, column, rowId: p.claimantId });
      const idx = blindIndexes(this.vault, v);
      await tx.query(
        `UPDATE claimants SET phone_enc = $2, email_enc = $3, address_enc = $4,
                phone_bidx = $5, email_bidx = $6, address_bidx = $7, updated_at = now()
          WHERE id = $1`,
        [
          p.claimantId,
          this.vault.encrypt(at('phone_enc'), v.phone),
          this.vault.encrypt(at('email_enc'), v.email),
          this.vault.encrypt(at('address_enc'), JSON.stringify(v.address)),
          idx.phone_bidx,
          idx.email_bidx,
          idx.address_bidx,
        ],
      );
      const flags = await raiseDuplicateFlags(tx, {
        firmId: p.firmId,
        caseId: p.caseId,
        claimantId: p.claimantId,
        bidx: idx,
        sourceIpBidx: null,
        velocityMax: this.config.velocityMaxPerAddress,
        velocityWindowMinutes: this.config.velocityWindowMinutes,
      });
      await this.audit.record(tx, {
        firmId: p.firmId,
        actorType: 'claimant',
        actorId: p.claimantId,
        action: 'claimant.contact_corrected',
        subjectType: 'claimant',
        subjectId: p.claimantId,
        sourceIp: p.sourceIp,
        // The fields the claimant sent (an absent one is undefined here, and was not changed).
        details: { fields: Object.entries(change).flatMap(([k, v]) => (v === undefined ? [] : [k])), flags },
        retention: 'access',
      });
    });
    return this.me(p);
  }

  /**
   * Withdrawal: the status becomes `withdrawn` and the person's data is erased
   * ({@link ClaimantWorkflowService.erase}); the portal token and this session stop working.
   * Answers with the page as it is now.
   */
  async withdraw(p: ClaimantPrincipal): Promise<Record<string, unknown>> {
    await this.workflow.withdraw(
      { type: 'claimant', id: p.claimantId, firmId: p.firmId, sourceIp: p.sourceIp },
      p.caseId,
      p.claimantId,
      'withdrawn by the claimant',
      'claimant',
    );
    return this.me(p);
  }
}
