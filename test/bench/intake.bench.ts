import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { benchSeconds, createBenchCase, withBenchEnvironment } from './bench-helpers';
import { ratioOf, type Bench } from './bench-types';

const CONNECTIONS = 10;
const GOAL = 0.5;
const P99_GOAL_MS = 100;

/** Compiled next to this file; autocannon requires it inside its load-generating worker thread. */
const SETUP_REQUEST = join(__dirname, 'intake-request.js');

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // The load comes from a worker thread, so it does not share the server's event loop.
    workers: 1,
    requests: [{ method: 'POST', setupRequest: SETUP_REQUEST }],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx and ${result.errors} errors under load ` +
        `(status codes: ${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  return result;
}

/**
 * Sustained public intake (validation, encryption of six fields, five blind indexes, duplicate and
 * velocity checks, history, audit chain) against a bare Fastify route doing one INSERT of the same
 * JSON body, same load tool and connections, same run.
 */
export const bench: Bench = () =>
  withBenchEnvironment(
    async ({ config }) => {
      const seconds = benchSeconds(10);
      const pool = new Pool({ connectionString: config.databaseUrl, max: config.databasePoolMax });
      await pool.query(
        `CREATE TABLE bench_intake_baseline (id bigserial PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz DEFAULT now())`,
      );
      const bare = Fastify({ logger: false });
      bare.post('/claimants', async (req, reply) => {
        await pool.query('INSERT INTO bench_intake_baseline (body) VALUES ($1)', [req.body]);
        return reply.code(201).send({ ok: true });
      });
      const app = await createApiApp(config);
      try {
        const { kase } = await createBenchCase(app, { slugPrefix: 'bench' });
        await bare.listen({ host: '127.0.0.1', port: 0 });
        await app.listen({ host: '127.0.0.1', port: 0 });
        const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/claimants`;
        const appUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1/public/cases/${kase.slug}/claimants`;
        await load(bareUrl, 1);
        await load(appUrl, 1);
        const base = await load(bareUrl, seconds);
        const product = await load(appUrl, seconds);
        const value = Math.round(product.requests.average);
        const baselineValue = Math.round(base.requests.average);
        const ratio = ratioOf(value, baselineValue);
        return {
          name: 'intake',
          value,
          unit: 'req/s',
          baseline: 'bare Fastify POST doing one INSERT of the same JSON body, same run',
          baselineValue,
          ratio,
          goal: `>= ${GOAL}x req/s and p99 < ${P99_GOAL_MS} ms`,
          met: ratio >= GOAL && product.latency.p99 < P99_GOAL_MS,
          extra: { p99Ms: product.latency.p99, baselineP99Ms: base.latency.p99, connections: CONNECTIONS, seconds },
        };
      } finally {
        await app.close();
        await bare.close();
        await pool.end();
      }
    },
    { TRUST_PROXY: 'loopback' },
  );
