import autocannon from 'autocannon';
import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { benchSeconds, createBenchCase, withBenchEnvironment } from './bench-helpers';
import { ratioOf, type Bench } from './bench-types';

const CONNECTIONS = 10;
const GOAL = 0.5;
const P99_GOAL_MS = 100;

let counter = 0;

/**
 * A different, valid person per request, each from their own address as on launch day (behind the
 * firm's proxy, which the API trusts with TRUST_PROXY), so per-address limits and velocity checks
 * run as they would in production instead of piling every request onto 127.0.0.1.
 */
function request(req: autocannon.Request): autocannon.Request {
  const n = counter++;
  return {
    ...req,
    headers: { ...req.headers, 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
    body: body(n),
  };
}

function body(n: number): string {
  const digits = String(10_000_000 + (n % 89_999_999)).padStart(8, '0');
  return JSON.stringify({
    name: `${'김이박최정강조윤장임'[n % 10]}${'민서도하시지주예수'[Math.floor(n / 10) % 9]}${'준연윤은우아원린호'[Math.floor(n / 90) % 9]}`,
    birthDate: `19${50 + (Math.floor(n / 810) % 50)}-0${1 + (n % 9)}-1${n % 10}`,
    phone: `010-${digits.slice(0, 4)}-${digits.slice(4)}`,
    email: `bench${n}-${randomBytes(2).toString('hex')}@example.kr`,
    address: {
      postalCode: String(10_000 + (n % 89_999)),
      line1: `서울특별시 강남구 테헤란로 ${n % 500}`,
      line2: `${n % 30}층`,
    },
    exposedData: ['name', 'phone', 'email', 'address'],
    noticeReceivedOn: '2025-11-30',
    harms: [],
    consents: { collectionAndUse: true, provisionForLitigation: true },
    attestation: true,
  });
}

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: request }],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors under load`);
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
    { TRUST_PROXY: 'true' },
  );
