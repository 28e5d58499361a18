import { DiscoveryService } from '@nestjs/core';
import { JobName, type JobPayloads } from './job-contract';

export interface JobContext {
  readonly jobId: string;
  /** 1 on the first run, 2 on the first retry, ... */
  readonly attempt: number;
  /** Reports progress 0..100 to BullMQ. */
  updateProgress(percent: number): Promise<void>;
}

export interface JobHandler<N extends JobName = JobName> {
  handle(payload: JobPayloads[N], ctx: JobContext): Promise<void>;
  /**
   * Called once the job has failed for good, however it failed: thrown errors after the last
   * attempt, or a worker that died too often mid-job (BullMQ's stalled limit), where `handle`
   * never got to clean up. Must be idempotent.
   */
  onFinalFailure?(payload: JobPayloads[N], reason: string): Promise<void>;
}

/** Marks a provider as the one handler of a job name. The worker checks coverage at boot. */
export const ProcessesJob = DiscoveryService.createDecorator<JobName>();

/**
 * Every job name must have exactly one handler, or the worker refuses to start: a job without a
 * handler would sit in Redis forever, two handlers would race.
 */
export function assertHandlerCoverage(registered: readonly JobName[]): void {
  const problems: string[] = [];
  for (const name of Object.values(JobName)) {
    const count = registered.filter((r) => r === name).length;
    if (count === 0) problems.push(`job "${name}" has no handler`);
    if (count > 1) problems.push(`job "${name}" has ${count} handlers`);
  }
  for (const r of registered) {
    if (!(Object.values(JobName) as string[]).includes(r)) problems.push(`handler for unknown job "${r}"`);
  }
  if (problems.length > 0) throw new Error(`Job handler check failed: ${problems.join('; ')}`);
}
