import type { EntityManager } from 'typeorm';
import { JOB_OPTIONS, type JobName, type JobPayloads } from './job-contract';

/**
 * Writes a job request into the outbox inside the caller's transaction, so the business change
 * and its job commit (or roll back) together. The relay moves it to BullMQ. Returns the outbox id,
 * which becomes the BullMQ job id.
 */
export async function enqueueJob<N extends JobName>(
  tx: EntityManager,
  name: N,
  payload: JobPayloads[N],
): Promise<string> {
  const rows = await tx.query<{ id: string }[]>(
    `INSERT INTO outbox (queue, job_name, payload) VALUES ($1, $2, $3::jsonb) RETURNING id`,
    [JOB_OPTIONS[name].queue, name, JSON.stringify(payload)],
  );
  const first = rows[0];
  if (!first) throw new Error('outbox insert returned no row');
  return first.id;
}
