import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { probeRedis } from '../redis/redis';

export interface PrivateRedisHandle {
  url: string;
  stop(): Promise<void>;
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export const REDIS_MISSING_MESSAGE =
  'No Redis answers at REDIS_URL and no redis-server binary is on PATH. Redis holds the job queue, ' +
  'so the product cannot start without it. Either run one with Docker ' +
  '(`docker run -d -p 127.0.0.1:6379:6379 redis:7 --maxmemory-policy noeviction`, then ' +
  'REDIS_URL=redis://127.0.0.1:6379), or run the whole product with docker/compose.yml, ' +
  'or install the OS package (`apt-get install redis-server` / `brew install redis`) and start it, ' +
  'or point REDIS_URL at an existing Redis 7 with maxmemory-policy noeviction.';

/** Starts a private redis-server (no persistence, noeviction) under `dataDir/redis`. */
export async function startPrivateRedis(dataDir: string, port: number): Promise<PrivateRedisHandle> {
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if ((await probeRedis(url, 300)).ok) {
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not answer within 10 s');
}
