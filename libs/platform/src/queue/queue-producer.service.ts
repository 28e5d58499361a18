import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { bullConnection } from '../redis/redis';
import { JOB_OPTIONS, QueueName, type JobName } from './job-contract';

export interface OutboxJob {
  id: string;
  queue: string;
  jobName: JobName;
  payload: unknown;
}

/** Owns one BullMQ Queue per queue name; adds jobs with the contract's options. */
@Injectable()
export class QueueProducer implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: bullConnection(this.config.redisUrl), prefix: this.config.queuePrefix });
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** Adds jobs; a job id already present in BullMQ is left as it is (dedup by outbox id). */
  async addAll(jobs: readonly OutboxJob[]): Promise<void> {
    const byQueue = new Map<QueueName, OutboxJob[]>();
    for (const j of jobs) {
      const queue = JOB_OPTIONS[j.jobName].queue;
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), j]);
    }
    for (const [queue, list] of byQueue) {
      await this.queue(queue).addBulk(
        list.map((j) => {
          const o = JOB_OPTIONS[j.jobName];
          return {
            name: j.jobName,
            data: j.payload,
            opts: {
              jobId: j.id,
              attempts: o.attempts,
              backoff: { type: 'exponential', delay: o.backoffMs },
              removeOnComplete: { count: o.keepCompleted },
              removeOnFail: { count: o.keepFailed },
            },
          };
        }),
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
