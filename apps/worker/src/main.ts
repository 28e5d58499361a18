import 'reflect-metadata';
import { getHeapStatistics } from 'node:v8';
import { ConfigError, loadConfig, probeRedis, runMigrations, workerNodeArgs } from '@app/platform';
import { createWorkerApp } from './create-worker-app';

async function main(): Promise<void> {
  // Under `npm start` the launcher holds an IPC channel: if it dies, shut down instead of lingering.
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new ConfigError(['DATABASE_URL is required (npm start sets it when it runs an embedded PostgreSQL)']);
  }
  await runMigrations(config.databaseUrl);
  const redis = await probeRedis(config.redisUrl);
  if (!redis.ok) throw new Error(`Redis is not reachable at REDIS_URL`);
  if (redis.maxmemoryPolicy !== 'noeviction') {
    process.stderr.write(
      `WARNING: Redis maxmemory-policy is "${redis.maxmemoryPolicy ?? 'unknown'}"; queued jobs can be evicted. Use noeviction.\n`,
    );
  }
  // The limit also counts the young generation (tens of MB): compare loosely, both ways.
  const heapMb = Math.round(getHeapStatistics().heap_size_limit / 1_048_576);
  if (heapMb > config.workerHeapMb + 128 || heapMb < config.workerHeapMb) {
    process.stderr.write(
      `WARNING: the worker's heap limit is ${heapMb} MB but WORKER_HEAP_MB is ${config.workerHeapMb}; start it ` +
        `with ${workerNodeArgs(config).join(' ')} (npm start does): too high and its memory grows with garbage ` +
        `long before V8 collects it, too low and a large job runs out of memory.\n`,
    );
  }
  const app = await createWorkerApp(config);
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${JSON.stringify({ msg: 'worker stopping', signal })}\n`);
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 5_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`${JSON.stringify({ msg: 'worker started', pid: process.pid })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
