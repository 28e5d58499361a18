import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { PlatformModule, loadConfig, runMigrations, type AppConfig } from '@app/platform';
import { SecurityModule } from '@app/security';
import { ClaimantsModule } from '@app/claimants';
import { CasesModule } from '@app/cases';

@Module({})
export class CliModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [PlatformModule.forRoot(config, 'cli'), SecurityModule, CasesModule, ClaimantsModule],
    };
  }
}

/** Boots the libraries (no HTTP, no queue consumers, no relay) for one operator command. */
export async function withCliContext<T>(
  work: (app: INestApplicationContext, config: AppConfig) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ ...process.env, OUTBOX_RELAY: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for this command');
  await runMigrations(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(CliModule.forConfig(config), { logger: ['error', 'warn'] });
  try {
    return await work(app, config);
  } finally {
    await app.close();
  }
}
