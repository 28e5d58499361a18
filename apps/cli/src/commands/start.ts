import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
  REDIS_MISSING_MESSAGE,
  describeConfig,
  loadConfig,
  probeRedis,
  redisServerOnPath,
  runMigrations,
  startEmbeddedPostgres,
  startPrivateRedis,
  workerNodeArgs,
  type EmbeddedPostgresHandle,
  type PrivateRedisHandle,
} from '@app/platform';

const EMBEDDED_PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
const PRIVATE_REDIS_PORT = Number(process.env.PRIVATE_REDIS_PORT ?? 56379);

function say(msg: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ service: 'launcher', msg, ...extra })}\n`);
}

function waitExit(child: ChildProcess): Promise<number> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode ?? 1);
    child.once('exit', (code) => done(code ?? 1));
  });
}

/**
 * `npm start`: brings up what is missing (embedded PostgreSQL without DATABASE_URL, a private
 * redis-server when nothing answers), applies migrations, then runs the API and the worker as two
 * child processes. SIGINT/SIGTERM drain both, then stop what it started.
 */
export async function startCommand(): Promise<number> {
  const config = loadConfig();
  if (config.piiMasterKeyGenerated) {
    process.stderr.write(
      `\n*** WARNING: PII_MASTER_KEY is not set. A development key was generated in ${config.dataDir}/pii-master.key. ***\n` +
        '*** Never store real personal data under it; set PII_MASTER_KEY (32 random bytes, base64) for real use. ***\n\n',
    );
  }
  let pg: EmbeddedPostgresHandle | undefined;
  let redis: PrivateRedisHandle | undefined;
  const stopStarted = async (): Promise<void> => {
    await redis?.stop().catch(() => undefined);
    if (pg) {
      await Promise.race([pg.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
    }
  };

  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      say('no DATABASE_URL: starting embedded PostgreSQL', { dir: `${config.dataDir}/pg`, port: EMBEDDED_PG_PORT });
      pg = await startEmbeddedPostgres(config.dataDir, EMBEDDED_PG_PORT, 'jsi', (l) => say(l));
      databaseUrl = pg.url;
    }
    let redisUrl = config.redisUrl;
    const probe = await probeRedis(redisUrl);
    if (!probe.ok) {
      if (config.redisUrlExplicit || !redisServerOnPath()) {
        process.stderr.write(`\n${REDIS_MISSING_MESSAGE}\n\n`);
        await stopStarted();
        return 1;
      }
      say('no Redis answers: starting a private redis-server', {
        dir: `${config.dataDir}/redis`,
        port: PRIVATE_REDIS_PORT,
      });
      redis = await startPrivateRedis(config.dataDir, PRIVATE_REDIS_PORT);
      redisUrl = redis.url;
    }
    const migrated = await runMigrations(databaseUrl);
    say('migrations applied', { applied: migrated.applied.length });

    const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
    const dist = resolve(__dirname, '../../..');
    const children = (['api', 'worker'] as const).map((name) =>
      spawn(
        process.execPath,
        [...(name === 'worker' ? workerNodeArgs(config) : []), resolve(dist, name, 'src/main.js')],
        {
          env,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      ),
    );
    say('started', {
      api: children[0]?.pid,
      worker: children[1]?.pid,
      config: describeConfig({ ...config, databaseUrl }),
    });

    let stopping = false;
    const shutdown = async (reason: string): Promise<number> => {
      if (stopping) return 0;
      stopping = true;
      say('stopping', { reason });
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      }, config.shutdownGraceMs + 10_000);
      const codes = await Promise.all(children.map(waitExit));
      clearTimeout(killer);
      await stopStarted();
      say('stopped');
      return codes.every((c) => c === 0) ? 0 : 1;
    };

    return await new Promise<number>((done) => {
      process.once('SIGINT', () => void shutdown('SIGINT').then(done));
      process.once('SIGTERM', () => void shutdown('SIGTERM').then(done));
      for (const c of children) {
        c.once('exit', (code) => {
          if (!stopping) void shutdown(`a child exited with code ${code ?? 'null'}`).then(() => done(1));
        });
      }
    });
  } catch (e) {
    await stopStarted();
    throw e;
  }
}
