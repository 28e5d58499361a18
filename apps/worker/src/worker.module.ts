import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, SystemPingHandler, WorkerHostModule, type AppConfig } from '@app/platform';

/** The worker process: the same libraries, BullMQ processors instead of HTTP. */
@Module({})
export class WorkerModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config, 'worker'), WorkerHostModule],
      providers: [SystemPingHandler],
    };
  }
}
