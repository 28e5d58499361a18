import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { bullConnection } from '../redis/redis';
import { failsJobAtOnce, type DomainError } from '../errors/domain-error';
import { JOB_OPTIONS, QUEUE_SETTINGS, isJobName, type JobName, type QueueName } from './job-contract';
import { ProcessesJob, assertHandlerCoverage, type JobHandler } from './job-handler';

/**
 * Runs one BullMQ Worker per queue that has handlers, dispatching each job to its one handler.
 * A handler's error is never swallowed: BullMQ sees it and retries with backoff. A DomainError
 * (a business rule said no) is not worth retrying and fails the job at once, unless it is
 * transient (see {@link failsJobAtOnce}).
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(WorkerHost.name);
  private readonly handlers = new Map<JobName, JobHandler>();
  private readonly workers: Worker[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const found: JobName[] = [];
    for (const wrapper of this.discovery.getProviders({ metadataKey: ProcessesJob.KEY })) {
      const name = this.discovery.getMetadataByDecorator(ProcessesJob, wrapper);
      if (!name || !wrapper.instance) continue;
      found.push(name);
      this.handlers.set(name, wrapper.instance as JobHandler);
    }
    assertHandlerCoverage(found);
    const queues = new Set<QueueName>(found.map((n) => JOB_OPTIONS[n].queue));
    for (const queue of queues) {
      const settings = QUEUE_SETTINGS[queue];
      const worker = new Worker(queue, (job: Job) => this.process(job), {
        connection: bullConnection(this.config.redisUrl),
        prefix: this.config.queuePrefix,
        concurrency: settings.concurrency,
        lockDuration: this.config.queueLockDurationMs ?? settings.lockDurationMs,
        ...(this.config.queueStalledIntervalMs ? { stalledInterval: this.config.queueStalledIntervalMs } : {}),
        maxStalledCount: 2,
      });
      worker.on('failed', (job, err) => void this.onFailed(job, err));
      worker.on('error', (err) => this.log.warn(`worker ${queue}: ${err.message}`));
      this.workers.push(worker);
    }
    this.log.log(`worker listening on queues: ${[...queues].join(', ')}`);
  }

  /**
   * Stop taking jobs; running ones get `shutdownGraceMs` to finish. After that the workers close
   * without waiting: the unfinished jobs' locks lapse and BullMQ hands them out again (stalled).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const graceful = Promise.all(this.workers.map((w) => w.close())).then(() => 'closed' as const);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs);
    });
    const outcome = await Promise.race([graceful, timeout]);
    if (timer) clearTimeout(timer);
    if (outcome === 'timeout') {
      this.log.warn('jobs still running after the grace period; returning them to the queue');
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    this.workers.length = 0;
  }

  private async process(job: Job): Promise<void> {
    if (!isJobName(job.name)) throw new UnrecoverableError(`unknown job name`);
    const handler = this.handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`no handler`);
    const jobId = job.id ?? '';
    try {
      await handler.handle(job.data as never, {
        jobId,
        attempt: job.attemptsMade + 1,
        updateProgress: (p) => job.updateProgress(Math.max(0, Math.min(100, Math.round(p)))),
      });
    } catch (e) {
      if (failsJobAtOnce(e)) {
        const d = e as DomainError;
        throw new UnrecoverableError(`${d.code}: ${d.message}`);
      }
      throw e;
    }
    await this.ds.query(`UPDATE outbox SET completed_at = now() WHERE id::text = $1 AND completed_at IS NULL`, [jobId]);
  }

  private async onFailed(job: Job | undefined, err: Error): Promise<void> {
    if (!job?.id) return;
    const attempts = job.opts.attempts ?? 1;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= attempts;
    this.log.warn(`job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}/${attempts}): ${err.message}`);
    if (!final) return;
    const handler = isJobName(job.name) ? this.handlers.get(job.name) : undefined;
    if (handler?.onFinalFailure) {
      try {
        await handler.onFinalFailure(job.data as never, err.message);
      } catch (e) {
        this.log.warn(`final-failure hook of ${job.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    try {
      await this.ds.query(
        `UPDATE outbox SET failed_at = now(), last_error = left($2, 500) WHERE id::text = $1 AND completed_at IS NULL`,
        [job.id, err.message],
      );
    } catch {
      // database gone during shutdown: the relay will re-send; handlers are idempotent
    }
  }
}
