import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, NotFoundError, queryRows } from '@app/platform';
import { AuditService, type FirmScope, type StaffPrincipal } from '@app/security';
import { CLAIMANT_ENCRYPTED_COLUMNS } from '../claimant-fields';
import { EvidenceService, MAX_PROVEN_LOSS_KRW } from '../evidence/evidence.service';
import { assertTransition, isClaimantStatus, type ClaimantStatus } from './status';

export interface Actor {
  type: 'staff' | 'claimant' | 'system';
  id: string | null;
  firmId: FirmScope;
  sourceIp?: string;
}

export function staffActor(p: StaffPrincipal): Actor {
  return { type: 'staff', id: p.staffId, firmId: p.firmId, sourceIp: p.sourceIp };
}

/** Status moves, flag resolution and merges: each recorded in history and the audit trail. */
@Injectable()
export class ClaimantWorkflowService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly evidence: EvidenceService,
  ) {}

  async transition(
    actor: Actor,
    caseId: string,
    id: string,
    to: string,
    reason: string,
  ): Promise<{ id: string; status: ClaimantStatus }> {
    if (!isClaimantStatus(to)) {
      throw new DomainError('VALIDATION_FAILED', 'Unknown status', [{ field: 'to', message: 'unknown status' }]);
    }
    const via = actor.type === 'claimant' ? 'claimant' : 'staff';
    if (to === 'withdrawn') {
      await this.withdraw(actor, caseId, id, reason, via);
      return { id, status: to };
    }
    return this.ds.transaction(async (tx) => {
      await this.move(tx, actor, caseId, id, to, reason, via);
      return { id, status: to };
    });
  }

  /**
   * Withdrawal, whoever asks for it (the claimant on the portal, or staff on their behalf): the move
   * to `withdrawn` and the erasure of the person's data ({@link erase}) in one transaction; the
   * evidence files are deleted once it commits.
   */
  async withdraw(actor: Actor, caseId: string, id: string, reason: string, via: 'staff' | 'claimant'): Promise<void> {
    const storageKeys = await this.ds.transaction(async (tx) => {
      await this.move(tx, actor, caseId, id, 'withdrawn', reason, via);
      return this.erase(tx, actor, id);
    });
    await this.evidence.deleteFiles(storageKeys);
  }

  /**
   * Erases a claimant's personal data in the caller's transaction (withdrawal, or the absorbed side
   * of a merge). Gone: the encrypted fields, every blind index (source address included), the
   * portal token and sessions, the Idempotency-Key receipts, the duplicate flags on either side
   * (their signal would tell what the person shared with someone else; `keepFlagsWith` spares
   * those with a merge's survivor) and the evidence rows' keys. Kept: the reference, the status
   * history, the consent record and the audit trail (README, "What is kept"). Returns the evidence
   * files to delete after commit (without their keys they are unreadable already).
   */
  async erase(tx: EntityManager, actor: Actor, id: string, keepFlagsWith?: string): Promise<string[]> {
    await tx.query(
      `UPDATE claimants SET ${CLAIMANT_ENCRYPTED_COLUMNS.map((c) => `${c} = NULL`).join(', ')},
              name_bidx = NULL, phone_bidx = NULL, email_bidx = NULL, name_birth_bidx = NULL, address_bidx = NULL,
              source_ip_bidx = NULL, token_hash = NULL, erased_at = now(), updated_at = now()
        WHERE id = $1`,
      [id],
    );
    await tx.query(`UPDATE claimant_sessions SET revoked_at = now() WHERE claimant_id = $1 AND revoked_at IS NULL`, [
      id,
    ]);
    await tx.query(`DELETE FROM idempotency_keys WHERE claimant_id = $1`, [id]);
    await tx.query(
      `DELETE FROM claimant_flags
        WHERE (claimant_id = $1 OR matched_claimant_id = $1)
          AND ($2::uuid IS NULL OR (claimant_id <> $2 AND matched_claimant_id IS DISTINCT FROM $2))`,
      [id, keepFlagsWith ?? null],
    );
    const deleted = await queryRows<{ storage_key: string }>(
      tx,
      `UPDATE evidence SET deleted_at = now(), data_key_enc = NULL
        WHERE claimant_id = $1 AND deleted_at IS NULL RETURNING storage_key`,
      [id],
    );
    await this.audit.record(tx, {
      firmId: actor.firmId,
      actorType: actor.type,
      actorId: actor.id,
      action: 'claimant.erased',
      subjectType: 'claimant',
      subjectId: id,
      sourceIp: actor.sourceIp,
      retention: 'access',
    });
    return deleted.map((r) => r.storage_key);
  }

  /** One move inside the caller's transaction (also used by filings with via = 'filing'). */
  async move(
    tx: EntityManager,
    actor: Actor,
    caseId: string,
    id: string,
    to: ClaimantStatus,
    reason: string,
    via: 'staff' | 'filing' | 'claimant',
  ): Promise<ClaimantStatus> {
    const rows = await tx.query<{ status: ClaimantStatus; merged_into: string | null }[]>(
      `SELECT status, merged_into FROM claimants WHERE firm_id = $1 AND case_id = $2 AND id = $3 FOR UPDATE`,
      [actor.firmId, caseId, id],
    );
    const from = rows[0];
    if (!from || from.merged_into) throw new NotFoundError('Claimant');
    assertTransition(from.status, to, via);
    await tx.query(`UPDATE claimants SET status = $2, updated_at = now() WHERE id = $1`, [id, to]);
    await tx.query(
      `INSERT INTO claimant_status_history (firm_id, claimant_id, from_status, to_status, actor_type, actor_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [actor.firmId, id, from.status, to, actor.type, actor.id, reason],
    );
    await this.audit.record(tx, {
      firmId: actor.firmId,
      actorType: actor.type,
      actorId: actor.id,
      action: 'claimant.status_changed',
      subjectType: 'claimant',
      subjectId: id,
      reason,
      sourceIp: actor.sourceIp,
      details: { from: from.status, to },
      retention: 'access',
    });
    return from.status;
  }

  async dismissFlag(actor: Actor, caseId: string, claimantId: string, flagId: string, reason: string): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const rows = await queryRows<{ id: string }>(
        tx,
        `UPDATE claimant_flags SET status = 'dismissed', reason = $5, resolved_by = $6, resolved_at = now()
          WHERE firm_id = $1 AND case_id = $2 AND claimant_id = $3 AND id = $4 AND status = 'open' RETURNING id`,
        [actor.firmId, caseId, claimantId, flagId, reason, actor.id],
      );
      if (rows.length === 0) throw new NotFoundError('Open flag');
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: actor.type,
        actorId: actor.id,
        action: 'claimant.flag_dismissed',
        subjectType: 'claimant',
        subjectId: claimantId,
        reason,
        sourceIp: actor.sourceIp,
        details: { flagId },
        retention: 'access',
      });
    });
  }

  /**
   * Merges `absorbedId` into `survivorId`: evidence, consents and history move to the survivor; the
   * absorbed record keeps only its reference and a pointer (its personal data is erased, its
   * token stops working); flags between the two are closed as merged.
   */
  async merge(actor: Actor, caseId: string, survivorId: string, absorbedId: string, reason: string): Promise<void> {
    if (survivorId === absorbedId) {
      throw new DomainError('VALIDATION_FAILED', 'A claimant cannot be merged into itself', [
        { field: 'absorbedId', message: 'must differ from the surviving claimant' },
      ]);
    }
    await this.ds.transaction(async (tx) => {
      const rows = await tx.query<
        { id: string; status: string; merged_into: string | null; consents: Record<string, unknown> }[]
      >(
        `SELECT id, status, merged_into, consents FROM claimants
          WHERE firm_id = $1 AND case_id = $2 AND id = ANY($3::uuid[]) ORDER BY id FOR UPDATE`,
        [actor.firmId, caseId, [survivorId, absorbedId]],
      );
      const survivor = rows.find((r) => r.id === survivorId);
      const absorbed = rows.find((r) => r.id === absorbedId);
      if (!survivor || !absorbed || survivor.merged_into || absorbed.merged_into) throw new NotFoundError('Claimant');
      if (absorbed.status === 'filed') {
        throw new DomainError('INVALID_TRANSITION', 'A filed claimant cannot be merged away');
      }
      // The survivor takes the evidence and the history: it must be a record still in the suit.
      if (survivor.status === 'withdrawn' || survivor.status === 'rejected') {
        throw new DomainError(
          'INVALID_TRANSITION',
          `A claimant cannot be merged into a ${survivor.status} record; merge the other way round`,
        );
      }
      const inFiling = await tx.query<unknown[]>(
        `SELECT 1 FROM filing_plaintiffs WHERE claimant_id = $1 AND open LIMIT 1`,
        [absorbedId],
      );
      if (inFiling.length > 0) {
        throw new DomainError(
          'ALREADY_IN_OPEN_FILING',
          'The duplicate is a plaintiff of an open filing; merge it once that filing is done or failed',
        );
      }
      // The survivor's accepted losses stay within what one claimant may prove (see EvidenceService).
      const losses = await tx.query<{ total: string }[]>(
        `SELECT coalesce(sum(loss_krw), 0)::text AS total FROM evidence
          WHERE claimant_id = ANY($1::uuid[]) AND status = 'accepted' AND deleted_at IS NULL`,
        [[survivorId, absorbedId]],
      );
      if (BigInt(losses[0].total) > BigInt(MAX_PROVEN_LOSS_KRW)) {
        throw new DomainError(
          'UNPROCESSABLE',
          'Together the two records prove more than 1,000,000,000,000 won of losses; review their evidence first',
        );
      }
      await tx.query(`UPDATE evidence SET claimant_id = $1 WHERE claimant_id = $2`, [survivorId, absorbedId]);
      await tx.query(`UPDATE claimant_status_history SET claimant_id = $1 WHERE claimant_id = $2`, [
        survivorId,
        absorbedId,
      ]);
      await tx.query(`UPDATE claimants SET consents = $2::jsonb || consents, updated_at = now() WHERE id = $1`, [
        survivorId,
        JSON.stringify(absorbed.consents),
      ]);
      await tx.query(`UPDATE claimants SET merged_into = $2, status = 'withdrawn' WHERE id = $1`, [
        absorbedId,
        survivorId,
      ]);
      await tx.query(
        `UPDATE claimant_flags SET status = 'merged', resolved_by = $3, resolved_at = now(), reason = $4
          WHERE status = 'open' AND ((claimant_id = $1 AND matched_claimant_id = $2) OR (claimant_id = $2 AND matched_claimant_id = $1))`,
        [survivorId, absorbedId, actor.id, reason],
      );
      // The absorbed record's evidence has moved to the survivor, so no file goes here.
      await this.erase(tx, actor, absorbedId, survivorId);
      await tx.query(
        `INSERT INTO claimant_status_history (firm_id, claimant_id, from_status, to_status, actor_type, actor_id, reason)
         VALUES ($1, $2, $3, $3, $4, $5, $6)`,
        [actor.firmId, survivorId, survivor.status, actor.type, actor.id, `merged duplicate ${absorbedId}: ${reason}`],
      );
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: actor.type,
        actorId: actor.id,
        action: 'claimant.merged',
        subjectType: 'claimant',
        subjectId: survivorId,
        reason,
        sourceIp: actor.sourceIp,
        details: { absorbedId },
        retention: 'access',
      });
    });
  }
}
