import { loadConfig, runMigrations } from '@app/platform';

export async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write('DATABASE_URL is required for migrate\n');
    return 2;
  }
  const result = await runMigrations(config.databaseUrl);
  process.stdout.write(`${JSON.stringify({ applied: result.applied })}\n`);
  return 0;
}
