import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { loggerParams } from './logging/logging';
import { OutboxModule } from './queue/queue.module';
import { HealthService } from './system/health.service';
import { SystemPingService } from './system/system-ping';
import { FILE_STORAGE } from './storage/file-storage';
import { fileStorageProvider } from './storage/storage.provider';

/** Config, logging, the database and the outbox: what every process needs. */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, service: 'api' | 'worker' | 'cli'): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        ConfigModule.forConfig(config),
        LoggerModule.forRoot(loggerParams(config, service)),
        // Requests never queue behind a long lock (a filing holding its plaintiffs): they get 409
        // RECORD_BUSY; jobs and operator commands wait.
        DatabaseModule.forConfig(config, `jsi-${service}`, service === 'api' ? config.apiLockTimeoutMs : undefined),
        OutboxModule,
      ],
      providers: [HealthService, SystemPingService, fileStorageProvider],
      exports: [OutboxModule, HealthService, SystemPingService, FILE_STORAGE],
    };
  }
}
