import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly producer: QueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Operator commands (the CLI) write outbox rows but leave relaying to the running services.
    if (this.config.outboxRelayEnabled) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  /** Relays now (after a commit) instead of waiting for the next tick. */
  kick(): void {
    if (this.stopped || this.running || !this.config.outboxRelayEnabled) return;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.relayOnce()
        .catch((e: unknown) => {
          this.log.warn(`outbox relay failed: ${e instanceof Error ? e.message : String(e)}`);
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
      void this.running.then((n) => this.schedule(n === BATCH ? 0 : this.config.outboxRelayIntervalMs));
    }, delay);
    this.timer.unref();
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
