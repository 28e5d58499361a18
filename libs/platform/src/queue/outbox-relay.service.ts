import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { RepeatingTask } from '../runtime/repeating-task';
import { isJobName } from './job-contract';
import { QueueProducer, type OutboxJob } from './queue-producer.service';

const BATCH = 200;

/**
 * Moves committed outbox rows to BullMQ (job id = outbox id). Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so any number of processes can relay at once. A row whose job was sent
 * but never completed is sent again after `outboxRedispatchAfterSeconds`; BullMQ ignores the
 * re-send while the job still exists, so only lost jobs come back.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(OutboxRelay.name);
  /** One batch at a time: the next at once while batches come full, else after the interval. */
  private readonly loop = new RepeatingTask(
    () =>
      this.relayOnce().catch((e: unknown) => {
        this.log.warn(`outbox relay failed: ${e instanceof Error ? e.message : String(e)}`);
        return 0;
      }),
    (sent) => (sent === BATCH ? 0 : this.config.outboxRelayIntervalMs),
  );

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly producer: QueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Operator commands (the CLI) write outbox rows but leave relaying to the running services.
    if (this.config.outboxRelayEnabled) this.loop.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Relays now (after a commit) instead of waiting for the next tick. */
  kick(): void {
    if (this.loop.busy || !this.config.outboxRelayEnabled) return;
    this.loop.schedule(0);
  }

  /** One batch; returns how many rows it sent. */
  async relayOnce(): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; queue: string; job_name: string; payload: unknown }[]>(
        `SELECT id, queue, job_name, payload FROM outbox
          WHERE completed_at IS NULL AND failed_at IS NULL
            AND (dispatched_at IS NULL OR dispatched_at < now() - make_interval(secs => $1))
          ORDER BY created_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [this.config.outboxRedispatchAfterSeconds, BATCH],
      );
      if (rows.length === 0) return 0;
      const jobs: OutboxJob[] = [];
      for (const r of rows) {
        if (isJobName(r.job_name)) jobs.push({ id: r.id, queue: r.queue, jobName: r.job_name, payload: r.payload });
      }
      await this.producer.addAll(jobs);
      await tx.query(
        `UPDATE outbox SET dispatched_at = now(), dispatch_count = dispatch_count + 1 WHERE id = ANY($1::uuid[])`,
        [rows.map((r) => r.id)],
      );
      return rows.length;
    });
  }
}
