import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { hostname } from 'node:os';
import { enqueueJob } from '../queue/outbox';
import { JobName, type JobPayloads } from '../queue/job-contract';
import { ProcessesJob, type JobHandler } from '../queue/job-handler';
import { NotFoundError } from '../errors/domain-error';

export interface SystemPingView {
  id: string;
  requestedAt: string;
  processedAt: string | null;
  processedBy: string | null;
  runs: number;
  jobId: string;
}

/** Proves the job path end to end: request -> outbox -> BullMQ -> worker -> database. */
@Injectable()
export class SystemPingService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async request(): Promise<{ id: string; jobId: string }> {
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }[]>(`INSERT INTO system_pings DEFAULT VALUES RETURNING id`);
      const id = rows[0].id;
      const jobId = await enqueueJob(tx, JobName.SystemPing, { pingId: id });
      return { id, jobId };
    });
  }

  async get(id: string): Promise<SystemPingView> {
    const rows = await this.ds.query<
      {
        id: string;
        requested_at: Date;
        processed_at: Date | null;
        processed_by: string | null;
        runs: number;
        job_id: string;
      }[]
    >(
      `SELECT p.id, p.requested_at, p.processed_at, p.processed_by, p.runs, o.id AS job_id
         FROM system_pings p
         LEFT JOIN outbox o ON o.job_name = 'system.ping' AND o.payload->>'pingId' = p.id::text
        WHERE p.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) throw new NotFoundError('Ping');
    return {
      id: r.id,
      requestedAt: r.requested_at.toISOString(),
      processedAt: r.processed_at?.toISOString() ?? null,
      processedBy: r.processed_by,
      runs: r.runs,
      jobId: r.job_id,
    };
  }
}

@Injectable()
@ProcessesJob(JobName.SystemPing)
export class SystemPingHandler implements JobHandler<typeof JobName.SystemPing> {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async handle(payload: JobPayloads[typeof JobName.SystemPing]): Promise<void> {
    // Idempotent: the first run sets processed_at; a re-run only counts.
    await this.ds.query(
      `UPDATE system_pings
          SET processed_at = coalesce(processed_at, now()),
              processed_by = coalesce(processed_by, $2),
              runs = runs + 1
        WHERE id = $1`,
      [payload.pingId, `${hostname()}:${process.pid}`],
    );
  }
}
