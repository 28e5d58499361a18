import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

@Module({})
export class DatabaseModule {
  static forConfig(config: AppConfig, applicationName: string, lockTimeoutMs?: number): DynamicModule {
    if (!config.databaseUrl) throw new Error('DATABASE_URL must be resolved before the app module is built');
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, config.databasePoolMax, applicationName, lockTimeoutMs),
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
    };
  }
}
