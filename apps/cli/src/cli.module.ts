import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { PlatformModule, embeddedDatabaseUrl, loadConfig, runMigrations, type AppConfig } from '@app/platform';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: cliDatabaseUrl(),
    OUTBOX_RELAY: 'false',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  if (!config.databaseUrl) {
    throw new Error('DATABASE_URL is required for this command (or run it beside `npm start`, which uses .data/pg)');
  }
  await runMigrations(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(CliModule.forConfig(config), { logger: ['error', 'warn'] });
  try {
    return await work(app, config);
  } finally {
    await app.close();
  }
}

/**
 * DATABASE_URL, or, without one, the embedded PostgreSQL that `npm start` runs from `.data/pg`,
 * so operator commands work beside a development instance with no configuration.
 */
export function cliDatabaseUrl(): string | undefined {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dataDir = process.env.DATA_DIR || '.data';
  if (!existsSync(join(dataDir, 'pg', 'PG_VERSION'))) return undefined;
  return embeddedDatabaseUrl(Number(process.env.EMBEDDED_PG_PORT ?? 54329));
}
