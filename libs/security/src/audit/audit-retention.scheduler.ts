import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, RepeatingTask, type AppConfig } from '@app/platform';
import { AuditService } from './audit.service';

/** First purge this long after the worker starts (not in the middle of a boot storm). */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Worker-side: purges audit events past their retention every AUDIT_PURGE_INTERVAL_HOURS (see
 * {@link AuditService.purgeExpired}). Several workers may run it at once: each chain's purge holds
 * that chain's lock, and a second pass finds nothing left to remove.
 */
@Injectable()
export class AuditRetentionScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(AuditRetentionScheduler.name);
  private readonly loop = new RepeatingTask(
    () => this.runOnce(),
    () => this.config.auditPurgeIntervalHours * 3_600_000,
  );

  constructor(
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auditPurgeIntervalHours > 0) this.loop.schedule(FIRST_RUN_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One purge now (also what the timer runs); failures are logged and retried at the next interval. */
  async runOnce(): Promise<void> {
    try {
      const { chains, purged, failures } = await this.audit.purgeExpired();
      if (purged > 0) this.log.log(`audit retention: ${purged} expired events purged from ${chains} chain cuts`);
      for (const f of failures) this.log.warn(`audit retention: ${f}`);
    } catch (err) {
      this.log.warn(`audit retention purge failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
