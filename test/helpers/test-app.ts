import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { loadConfig, type AppConfig } from '@app/platform';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { assertTestDatabase } from './test-database';

export interface TestApp {
  config: AppConfig;
  api: NestFastifyApplication;
  worker?: INestApplicationContext;
  http: Server;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const config = loadConfig({ ...process.env, ...overrides });
  if (!config.databaseUrl) throw new Error('the e2e global setup did not set DATABASE_URL');
  assertTestDatabase(config.databaseUrl);
  return config;
}

/** The real API (and optionally the real worker) in this process, on the run's database. */
export async function startTestApp(opts: { worker?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const config = testConfig(opts.env);
  const api = await createApiApp(config);
  await api.getHttpAdapter().getInstance().ready();
  const worker = opts.worker ? await createWorkerApp(config) : undefined;
  return {
    config,
    api,
    worker,
    http: api.getHttpServer(),
    close: async () => {
      await worker?.close();
      await api.close();
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
