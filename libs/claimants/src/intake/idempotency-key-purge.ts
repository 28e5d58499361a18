import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RepeatingTask, queryRows } from '@app/platform';

/** How long an Idempotency-Key answers retries (Stripe's day); older ones are purged. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
const PURGE_EVERY_MS = 3_600_000;
const FIRST_RUN_DELAY_MS = 60_000;
/** Keys removed per statement, so a backlog never holds many row locks at once. */
const BATCH = 5_000;

/**
 * Worker-side: every hour, removes Idempotency-Keys past their day. A key's row holds the encrypted
 * receipt (reference and portal token) and a fingerprint of the body; once no retry can use it,
 * it is personal data kept for nothing. Several workers may run it at once: deletes of the same
 * rows simply find less to do.
 */
@Injectable()
export class IdempotencyKeyPurge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(IdempotencyKeyPurge.name);
  private readonly loop = new RepeatingTask(
    () => this.runOnce(),
    () => PURGE_EVERY_MS,
  );

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onApplicationBootstrap(): void {
    this.loop.schedule(FIRST_RUN_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass now; returns how many keys went. Failures are logged and retried at the next pass. */
  async runOnce(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const gone = await queryRows<{ n: number }>(
          this.ds,
          `WITH old AS (
             SELECT case_id, key FROM idempotency_keys
              WHERE created_at < now() - make_interval(hours => $1) LIMIT $2
           ), del AS (
             DELETE FROM idempotency_keys k USING old WHERE k.case_id = old.case_id AND k.key = old.key RETURNING 1
           )
           SELECT count(*)::int AS n FROM del`,
          [IDEMPOTENCY_KEY_TTL_HOURS, BATCH],
        );
        total += gone[0].n;
        if (gone[0].n < BATCH) break;
      }
      if (total > 0) this.log.log(`idempotency keys: ${total} past their day purged`);
    } catch (err) {
      this.log.warn(`idempotency key purge failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return total;
  }
}
