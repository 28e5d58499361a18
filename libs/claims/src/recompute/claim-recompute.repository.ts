import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { FirmScope } from '@app/security';
import type { ClaimRuleParameters } from '../claim-rule-parameters';
import type { ClaimRules } from '../claim-rules';
import {
  claimResultJoinSql,
  currentClaimGeneration,
  lockClaimGenerations,
  replaceClaimGeneration,
  type ReplacedGeneration,
} from './claim-generations';
import { RECOMPUTE_RESULTS_SQL, recomputeStatementParams } from './recompute-statement';

export type RecomputeStatus = 'queued' | 'running' | 'done' | 'failed';

export interface RecomputeRow {
  id: string;
  firm_id: string;
  case_id: string;
  rule_version: number;
  status: RecomputeStatus;
  claimants: number;
  total_krw: string;
  changed: number;
  cleared: number;
  attempts: number;
  job_id: string | null;
  failure: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface ClaimTotals {
  claimants: number;
  /** Exact decimal strings (bigint sums). */
  totalKrw: string;
  maxKrw: string;
}

export interface StatusAggregate {
  status: string;
  claimants: number;
  totalKrw: string;
  /** Claimants whose stored claim is not of the given rule version (or missing). */
  outdated: number;
}

const COLUMNS = `id, firm_id, case_id, rule_version, status, claimants, total_krw::text AS total_krw, changed, cleared,
  attempts, job_id, failure, created_at, started_at, finished_at`;

type Db = DataSource | EntityManager;

/** SQL for claim recomputes and the claimants' stored results (claim generations). Every read is scoped to a firm. */
@Injectable()
export class ClaimRecomputeRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The case's current rule version and its rules; undefined when the case is not the firm's. */
  async currentRules(db: Db, firmId: FirmScope, caseId: string): Promise<ClaimRules | undefined> {
    const rows = await db.query<{ rules: ClaimRules }[]>(
      `SELECT r.rules FROM cases c
         JOIN case_rule_versions r ON r.case_id = c.id AND r.version = c.rule_version
        WHERE c.firm_id = $1 AND c.id = $2`,
      [firmId, caseId],
    );
    return rows[0]?.rules;
  }

  /** A request not yet picked up by a worker: a second request while one waits reuses it. */
  async findQueued(tx: EntityManager, firmId: FirmScope, caseId: string): Promise<RecomputeRow | undefined> {
    const rows = await tx.query<RecomputeRow[]>(
      `SELECT ${COLUMNS} FROM claim_recomputes
        WHERE firm_id = $1 AND case_id = $2 AND status = 'queued' AND attempts = 0
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.id = job_id AND o.completed_at IS NULL AND o.failed_at IS NULL)
        ORDER BY created_at DESC LIMIT 1`,
      [firmId, caseId],
    );
    return rows[0];
  }

  async insertRequest(
    tx: EntityManager,
    firmId: FirmScope,
    caseId: string,
    ruleVersion: number,
    requestedBy: string,
  ): Promise<string> {
    const rows = await tx.query<{ id: string }[]>(
      `INSERT INTO claim_recomputes (firm_id, case_id, rule_version, requested_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [firmId, caseId, ruleVersion, requestedBy],
    );
    return rows[0].id;
  }

  async setJobId(tx: EntityManager, id: string, jobId: string): Promise<void> {
    await tx.query(`UPDATE claim_recomputes SET job_id = $2 WHERE id = $1`, [id, jobId]);
  }

  async findById(firmId: FirmScope, id: string): Promise<RecomputeRow | undefined> {
    const rows = await this.ds.query<RecomputeRow[]>(
      `SELECT ${COLUMNS} FROM claim_recomputes WHERE firm_id = $1 AND id = $2`,
      [firmId, id],
    );
    return rows[0];
  }

  /** For the job, whose payload carries only the id; the row names the firm it acts for. */
  async findForJob(id: string): Promise<RecomputeRow | undefined> {
    const rows = await this.ds.query<RecomputeRow[]>(`SELECT ${COLUMNS} FROM claim_recomputes WHERE id = $1`, [id]);
    return rows[0];
  }

  async latestForCase(firmId: FirmScope, caseId: string): Promise<RecomputeRow | undefined> {
    const rows = await this.ds.query<RecomputeRow[]>(
      `SELECT ${COLUMNS} FROM claim_recomputes WHERE firm_id = $1 AND case_id = $2
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [firmId, caseId],
    );
    return rows[0];
  }

  async markRunning(id: string): Promise<void> {
    await this.ds.query(
      `UPDATE claim_recomputes
          SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), failure = NULL
        WHERE id = $1`,
      [id],
    );
  }

  async markDone(
    tx: EntityManager,
    id: string,
    result: { ruleVersion: number; totals: ClaimTotals; changed: number; cleared: number },
  ): Promise<void> {
    await tx.query(
      `UPDATE claim_recomputes
          SET status = 'done', rule_version = $2, claimants = $3, total_krw = $4::bigint, changed = $5, cleared = $6,
              failure = NULL, finished_at = now()
        WHERE id = $1`,
      [id, result.ruleVersion, result.totals.claimants, result.totals.totalKrw, result.changed, result.cleared],
    );
  }

  /** `final`: no retry follows (status failed); otherwise the row waits for the retry (status queued). */
  async markFailed(id: string, failure: string, final: boolean): Promise<void> {
    await this.ds.query(
      `UPDATE claim_recomputes SET status = $2, failure = left($3, 500), finished_at = CASE WHEN $2 = 'failed' THEN now() END
        WHERE id = $1 AND status <> 'done'`,
      [id, final ? 'failed' : 'queued', failure],
    );
  }

  /**
   * Serializes recomputes of one case (two workers, or a retry overlapping a late original) for the
   * rest of the transaction: the same lock every writer of the case's claim generations takes.
   */
  async lockCase(tx: EntityManager, caseId: string): Promise<void> {
    await lockClaimGenerations(tx, caseId);
  }

  /**
   * Writes the case's results under one rule version as a new claim generation and makes it
   * current (see claim-generations.ts); returns it with its totals.
   */
  async applyRuleVersion(
    tx: EntityManager,
    firmId: FirmScope,
    caseId: string,
    params: ClaimRuleParameters,
  ): Promise<ReplacedGeneration> {
    // Enough memory for the hash joins (and the primary key's sort) to stay in one batch instead
    // of spilling to temporary files. JIT off: on a million claimants its inlining and optimisation
    // of the statement cost about a second and saved less. Both local to this transaction.
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    await tx.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await tx.query(`SET LOCAL jit = off`);
    return replaceClaimGeneration(
      tx,
      { firmId, caseId, ruleVersion: params.ruleVersion },
      { sql: RECOMPUTE_RESULTS_SQL, params: recomputeStatementParams(firmId, caseId, params) },
    );
  }

  /** Per status (merged duplicates left out): claimants, stored total, and claims not of `ruleVersion`. */
  async aggregateByStatus(firmId: FirmScope, caseId: string, ruleVersion: number): Promise<StatusAggregate[]> {
    const generation = await currentClaimGeneration(this.ds, caseId);
    // A claimant's result is outdated when missing or when its generation is of another version.
    const rows = await this.ds.query<{ status: string; claimants: number; total_krw: string; outdated: number }[]>(
      `SELECT c.status, count(*)::int AS claimants, coalesce(sum(k.amount_krw), 0)::text AS total_krw,
              count(*) FILTER (WHERE k.claimant_id IS NULL OR $4::int IS DISTINCT FROM $3)::int AS outdated
         FROM claimants c
         ${claimResultJoinSql(generation, 'c', 'k')}
        WHERE c.firm_id = $1 AND c.case_id = $2 AND c.merged_into IS NULL
        GROUP BY c.status
        ORDER BY c.status`,
      [firmId, caseId, ruleVersion, generation?.ruleVersion ?? null],
    );
    return rows.map((r) => ({
      status: r.status,
      claimants: r.claimants,
      totalKrw: r.total_krw,
      outdated: r.outdated,
    }));
  }
}
