import 'reflect-metadata';
import { ConfigError, describeConfig, loadConfig, probeRedis, runMigrations } from '@app/platform';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  // Under `npm start` the launcher holds an IPC channel: if it dies, shut down instead of lingering.
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new ConfigError(['DATABASE_URL is required (npm start sets it when it runs an embedded PostgreSQL)']);
  }
  if (config.piiMasterKeyGenerated) {
    process.stderr.write(
      `\nWARNING: PII_MASTER_KEY is not set. Using a development key generated in ${config.dataDir}. ` +
        'Never use this for real personal data.\n\n',
    );
  }
  await runMigrations(config.databaseUrl);
  const redis = await probeRedis(config.redisUrl);
  if (redis.ok && redis.maxmemoryPolicy !== 'noeviction') {
    process.stderr.write(
      `WARNING: Redis maxmemory-policy is "${redis.maxmemoryPolicy ?? 'unknown'}"; queued jobs can be evicted. Use noeviction.\n`,
    );
  }
  const app = await createApiApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen({ port: config.port, host: config.host });
  const shownHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  process.stdout.write(
    `${JSON.stringify({ msg: 'api listening', url: `http://${shownHost}:${config.port}/api/v1`, docs: `http://${shownHost}:${config.port}/api/docs`, config: describeConfig(config) })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
