import { loadConfig, runMigrations } from '@app/platform';
import { cliDatabaseUrl } from '../cli.module';

export async function migrateCommand(): Promise<number> {
  const config = loadConfig({ ...process.env, DATABASE_URL: cliDatabaseUrl() });
  if (!config.databaseUrl) {
    process.stderr.write('DATABASE_URL is required for migrate\n');
    return 2;
  }
  const result = await runMigrations(config.databaseUrl);
  process.stdout.write(`${JSON.stringify({ applied: result.applied })}\n`);
  return 0;
}
