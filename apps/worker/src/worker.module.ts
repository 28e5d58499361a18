import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, SystemPingHandler, WorkerHostModule, type AppConfig } from '@app/platform';
import { AuditRetentionScheduler, SecurityModule } from '@app/security';
import { IdempotencyKeyPurge, ImportClaimantsHandler } from '@app/claimants';
import { FilingRenderHandler, FilingsModule } from '@app/filings';
import { ClaimRecomputeHandler, ClaimsModule } from '@app/claims';

/** The worker process: the same libraries, BullMQ processors instead of HTTP. */
@Module({})
export class WorkerModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config, 'worker'),
        WorkerHostModule,
        SecurityModule,
        FilingsModule,
        ClaimsModule,
      ],
      providers: [
        SystemPingHandler,
        ImportClaimantsHandler,
        FilingRenderHandler,
        ClaimRecomputeHandler,
        AuditRetentionScheduler,
        IdempotencyKeyPurge,
      ],
    };
  }
}
