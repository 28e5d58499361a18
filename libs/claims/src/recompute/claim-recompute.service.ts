import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  DomainError,
  JobName,
  NotFoundError,
  enqueueJob,
  failsJobAtOnce,
  type AppConfig,
} from '@app/platform';
import { AuditService, type FirmScope, type StaffPrincipal } from '@app/security';
import { claimRuleParameters } from '../claim-rule-parameters';
import { retireClaimGenerations } from './claim-generations';
import { EXCLUDED_STATUSES } from './recompute-statement';
import { ClaimRecomputeRepository, type RecomputeRow, type RecomputeStatus } from './claim-recompute.repository';

export interface ClaimRecomputeView {
  id: string;
  caseId: string;
  status: RecomputeStatus;
  /** The case's rule version when requested; once done, the version actually applied. */
  ruleVersion: number;
  jobId: string | null;
  /** Claimable claimants and the sum of their claims after the run (0 until done). */
  claimants: number;
  totalKrw: number;
  /** Claimant rows written (unchanged ones are skipped) and claims cleared (withdrawn, rejected, merged). */
  changed: number;
  cleared: number;
  attempts: number;
  failure: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ClaimTotalsView {
  claimants: number;
  totalKrw: number;
}

export interface ClaimSummary {
  caseId: string;
  /** The case's current rule version. */
  ruleVersion: number;
  /** Claimable claimants (not merged, withdrawn or rejected) and the sum of their stored claims. */
  claimants: number;
  totalKrw: number;
  /** Per claimable status; these add up to the totals above. */
  byStatus: Record<string, ClaimTotalsView>;
  /** Claimants left out of the claim arithmetic, by status (their stored claim is cleared). */
  excluded: Record<string, number>;
  /** Claimable claimants whose stored claim is missing or of another rule version: a recompute is due. */
  outdated: number;
  /** The most recent recompute request of the case, whatever its status; null when none. */
  lastRecompute: ClaimRecomputeView | null;
}

export interface RecomputeRunContext {
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Attempts the queue allows; on the last one a failure is final. */
  maxAttempts: number;
}

/** Claims must stay exact JavaScript numbers on the way out (API, documents). */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function won(decimal: string, what: string): number {
  const value = BigInt(decimal);
  if (value > MAX_SAFE) throw new DomainError('UNPROCESSABLE', `${what} exceeds ${Number.MAX_SAFE_INTEGER} won`);
  return Number(value);
}

function toView(r: RecomputeRow): ClaimRecomputeView {
  return {
    id: r.id,
    caseId: r.case_id,
    status: r.status,
    ruleVersion: r.rule_version,
    jobId: r.job_id,
    claimants: r.claimants,
    totalKrw: Number(r.total_krw),
    changed: r.changed,
    cleared: r.cleared,
    attempts: r.attempts,
    failure: r.failure,
    requestedAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

/**
 * Claim recomputes: the API writes a request and its outbox row in one transaction; the
 * `claims.recompute` job runs {@link run}, which applies the case's current rule version to every
 * claimant of the case in one set-based statement and records the totals.
 */
@Injectable()
export class ClaimRecomputeService {
  private readonly log = new Logger(ClaimRecomputeService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: ClaimRecomputeRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Queues a recompute of the case (another firm's case: not found). While an earlier request
   * still waits for a worker it is returned instead: it will read the same rules and facts.
   */
  async request(actor: StaffPrincipal, caseId: string): Promise<ClaimRecomputeView> {
    const id = await this.ds.transaction(async (tx) => {
      const rules = await this.repo.currentRules(tx, actor.firmId, caseId);
      if (!rules) throw new NotFoundError('Case');
      const waiting = await this.repo.findQueued(tx, actor.firmId, caseId);
      if (waiting) return waiting.id;
      const recomputeId = await this.repo.insertRequest(tx, actor.firmId, caseId, rules.version, actor.staffId);
      const jobId = await enqueueJob(tx, JobName.RecomputeClaims, { recomputeId });
      await this.repo.setJobId(tx, recomputeId, jobId);
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'claims.recompute.requested',
        subjectType: 'case',
        subjectId: caseId,
        sourceIp: actor.sourceIp,
        details: { recomputeId, ruleVersion: rules.version },
        retention: 'access',
      });
      return recomputeId;
    });
    return this.get(actor.firmId, id);
  }

  async get(firmId: FirmScope, id: string): Promise<ClaimRecomputeView> {
    const row = await this.repo.findById(firmId, id);
    if (!row) throw new NotFoundError('Recompute');
    return toView(row);
  }

  /** Totals of the stored claims of a case, by SQL aggregates. */
  async summary(firmId: FirmScope, caseId: string): Promise<ClaimSummary> {
    const rules = await this.repo.currentRules(this.ds, firmId, caseId);
    if (!rules) throw new NotFoundError('Case');
    const [groups, last] = await Promise.all([
      this.repo.aggregateByStatus(firmId, caseId, rules.version),
      this.repo.latestForCase(firmId, caseId),
    ]);
    const excludedStatuses: readonly string[] = EXCLUDED_STATUSES;
    const byStatus: Record<string, ClaimTotalsView> = {};
    const excluded: Record<string, number> = {};
    let claimants = 0;
    let total = 0n;
    let outdated = 0;
    for (const g of groups) {
      if (excludedStatuses.includes(g.status)) {
        excluded[g.status] = g.claimants;
        continue;
      }
      byStatus[g.status] = { claimants: g.claimants, totalKrw: won(g.totalKrw, `the ${g.status} total`) };
      claimants += g.claimants;
      total += BigInt(g.totalKrw);
      outdated += g.outdated;
    }
    return {
      caseId,
      ruleVersion: rules.version,
      claimants,
      totalKrw: won(total.toString(), 'the case total'),
      byStatus,
      excluded,
      outdated,
      lastRecompute: last ? toView(last) : null,
    };
  }

  /**
   * The job: applies the case's current rule version to every claimant of the case, as a new claim
   * generation published by the commit. Safe to run again: a request already done is skipped (a
   * duplicate delivery), a retry replaces whatever a failed attempt left (its transaction rolled
   * back, tables included), and recomputes of one case are serialized. A failure is recorded on the
   * request (final on the last attempt) and rethrown, so the queue sees it and retries. After the
   * commit, generations replaced longer than CLAIM_GENERATION_GRACE_SECONDS ago are dropped.
   */
  async run(recomputeId: string, ctx: RecomputeRunContext = { attempt: 1, maxAttempts: 1 }): Promise<void> {
    const row = await this.repo.findForJob(recomputeId);
    if (!row) throw new NotFoundError('Recompute');
    if (row.status === 'done') return;
    const firmId = row.firm_id as FirmScope;
    await this.repo.markRunning(recomputeId);
    try {
      await this.ds.transaction(async (tx) => {
        await this.repo.lockCase(tx, row.case_id);
        const rules = await this.repo.currentRules(tx, firmId, row.case_id);
        if (!rules) throw new NotFoundError('Case');
        const params = claimRuleParameters(rules);
        const { changed, cleared, totals } = await this.repo.applyRuleVersion(tx, firmId, row.case_id, params);
        won(totals.maxKrw, 'a claim');
        won(totals.totalKrw, 'the case total');
        await this.repo.markDone(tx, recomputeId, { ruleVersion: params.ruleVersion, totals, changed, cleared });
      });
    } catch (e) {
      const final = failsJobAtOnce(e) || ctx.attempt >= ctx.maxAttempts;
      const failure = e instanceof DomainError ? `${e.code}: ${e.message}` : 'internal error; see the worker log';
      this.log.warn(
        `recompute ${recomputeId} attempt ${ctx.attempt}/${ctx.maxAttempts} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      await this.repo.markFailed(recomputeId, failure, final).catch(() => undefined);
      throw e;
    }
    await retireClaimGenerations(this.ds, this.config.claimGenerationGraceSeconds).catch((e: unknown) => {
      this.log.warn(`retiring old claim generations failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
}
