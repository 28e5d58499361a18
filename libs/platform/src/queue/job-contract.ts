/**
 * The job contract. Queue and job names are persisted in Redis and in the outbox table:
 * these string values are frozen. Add new names; never rename or reuse one.
 */
export const QueueName = Object.freeze({
  System: 'system',
  Claims: 'claims',
  Filings: 'filings',
  Imports: 'imports',
} as const);
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = Object.freeze({
  SystemPing: 'system.ping',
  ImportClaimants: 'claimants.import',
  RenderFiling: 'filings.render',
  RecomputeClaims: 'claims.recompute',
} as const);
export type JobName = (typeof JobName)[keyof typeof JobName];

/** One payload type per job. Ids only: Redis holds job data in clear, so nothing personal. */
export interface JobPayloads {
  [JobName.SystemPing]: { pingId: string };
  [JobName.ImportClaimants]: { importId: string };
  [JobName.RenderFiling]: { filingId: string };
  [JobName.RecomputeClaims]: { recomputeId: string };
}

export interface JobOptions {
  readonly queue: QueueName;
  readonly attempts: number;
  /** First retry delay; doubles each attempt (exponential backoff). */
  readonly backoffMs: number;
  /** Completed jobs kept for inspection (count) before BullMQ removes them. */
  readonly keepCompleted: number;
  /** Failed jobs kept (count) for inspection. */
  readonly keepFailed: number;
}

/** Per-job options, in one table. */
export const JOB_OPTIONS: Readonly<Record<JobName, JobOptions>> = Object.freeze({
  [JobName.SystemPing]: {
    queue: QueueName.System,
    attempts: 3,
    backoffMs: 500,
    keepCompleted: 100,
    keepFailed: 1000,
  },
  // Resumes after its last committed batch, so a retry never inserts a row twice.
  [JobName.ImportClaimants]: {
    queue: QueueName.Imports,
    attempts: 3,
    backoffMs: 5_000,
    keepCompleted: 100,
    keepFailed: 1000,
  },
  [JobName.RenderFiling]: {
    queue: QueueName.Filings,
    attempts: 3,
    backoffMs: 2_000,
    keepCompleted: 100,
    keepFailed: 1000,
  },
  // Idempotent: rewrites only claimants whose claim differs, one case at a time (advisory lock).
  [JobName.RecomputeClaims]: {
    queue: QueueName.Claims,
    attempts: 3,
    backoffMs: 5_000,
    keepCompleted: 100,
    keepFailed: 1000,
  },
});

export interface QueueSettings {
  readonly concurrency: number;
  /** How long a worker holds a job before BullMQ thinks it stalled; renewed while it runs. */
  readonly lockDurationMs: number;
}

export const QUEUE_SETTINGS: Readonly<Record<QueueName, QueueSettings>> = Object.freeze({
  [QueueName.System]: { concurrency: 4, lockDurationMs: 30_000 },
  [QueueName.Claims]: { concurrency: 1, lockDurationMs: 120_000 },
  [QueueName.Filings]: { concurrency: 1, lockDurationMs: 300_000 },
  [QueueName.Imports]: { concurrency: 1, lockDurationMs: 120_000 },
});

export function isJobName(value: string): value is JobName {
  return (Object.values(JobName) as string[]).includes(value);
}

export function queueOf(job: JobName): QueueName {
  return JOB_OPTIONS[job].queue;
}
