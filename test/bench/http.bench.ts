import 'reflect-metadata';

import { Controller, Get } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { correlationIdFor, type AppConfig } from '@app/platform';
import { API_PREFIX, addResponseHooks, createApiApp } from '../../apps/api/src/create-api-app';
import { Public } from '../../apps/api/src/http/access.decorators';
import { benchSeconds, withBenchEnvironment } from './bench-helpers';
import { ratioOf, type Bench, type BenchResult } from './bench-types';

const PING_PATH = `/${API_PREFIX}/bench/ping`;
const CONNECTIONS = 10;
const GOAL_RATIO = 0.8;
/** Measured seconds per server are split into this many alternating rounds. */
const ROUNDS = 2;

@Controller('bench')
class BenchPingController {
  @Public()
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

/** The product's real bootstrap (createApiApp) with one trivial route added. */
function createBenchApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  return createApiApp(config, { extraControllers: [BenchPingController] });
}

/** The baseline: a bare Fastify server with the same route and body, no plugins, no logging. */
function createBareFastify(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get(PING_PATH, () => ({ ok: true }));
  return app;
}

/**
 * For the record, not the goal: bare Fastify plus what the product must do on every response
 * (the twelve security headers, the correlation id, the JSON request log), without Nest. The gap
 * between this and the product is Nest's own pipeline; the gap to the bare route is those features.
 */
function createFastifyWithProductHooks(config: AppConfig): FastifyInstance {
  const app = Fastify({ logger: false, genReqId: correlationIdFor });
  addResponseHooks(app, config);
  app.get(PING_PATH, () => ({ ok: true }));
  return app;
}

function urlOf(address: string | AddressInfo | null): string {
  if (!address || typeof address === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${address.port}${PING_PATH}`;
}

async function assertPing(url: string, what: string): Promise<void> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200 || body !== '{"ok":true}') {
    throw new Error(`${what}: GET ${PING_PATH} answered ${res.status} ${body.slice(0, 200)}`);
  }
}

interface LoadFigures {
  reqPerSec: number;
  /** The worst round's p99 (autocannon histograms of separate runs cannot be merged). */
  p99Ms: number;
  p50Ms: number;
  avgMs: number;
  requests: number;
  rounds: { reqPerSec: number; p99Ms: number }[];
}

interface Round {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  avgMs: number;
}

/** One autocannon run; the load comes from a worker thread, so it does not share the server's loop. */
async function loadRound(url: string, seconds: number, what: string): Promise<Round> {
  const result = await autocannon({ url, connections: CONNECTIONS, workers: 1, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0 || result.requests.total === 0) {
    throw new Error(`${what}: ${result.errors} connection errors and ${result.non2xx} non-2xx answers under load`);
  }
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    avgMs: result.latency.average,
  };
}

function combine(rounds: Round[]): LoadFigures {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const weighted = (pick: (r: Round) => number): number =>
    Math.round((rounds.reduce((n, r) => n + pick(r) * r.requests, 0) / requests) * 100) / 100;
  return {
    reqPerSec: Math.round(requests / seconds),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    p50Ms: weighted((r) => r.p50Ms),
    avgMs: weighted((r) => r.avgMs),
    requests,
    rounds: rounds.map((r) => ({ reqPerSec: Math.round(r.requests / r.seconds), p99Ms: r.p99Ms })),
  };
}

export const bench: Bench = async () =>
  withBenchEnvironment(async ({ config }) => {
    const seconds = benchSeconds();
    const bare = createBareFastify();
    const hooked = createFastifyWithProductHooks(config);
    const nest = await createBenchApiApp(config);
    try {
      await bare.listen({ host: '127.0.0.1', port: 0 });
      await hooked.listen({ host: '127.0.0.1', port: 0 });
      await nest.listen({ host: '127.0.0.1', port: 0 });
      const bareUrl = urlOf(bare.server.address());
      const hookedUrl = urlOf(hooked.server.address());
      const nestUrl = urlOf(nest.getHttpServer().address());
      await assertPing(bareUrl, 'bare Fastify');
      await assertPing(nestUrl, 'Nest stack');

      // Both servers stay up throughout, so both see the same background (pool, outbox relay). A
      // short warm-up each, then alternating rounds (bare, Nest, bare, Nest) so drifting load from
      // elsewhere on the machine hits both alike.
      const warmUp = Math.max(1, Math.min(3, Math.round(seconds / 4)));
      await loadRound(bareUrl, warmUp, 'bare Fastify (warm-up)');
      await loadRound(hookedUrl, warmUp, 'Fastify with the product hooks (warm-up)');
      await loadRound(nestUrl, warmUp, 'Nest stack (warm-up)');
      const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS)); // autocannon samples whole seconds
      const bareRounds: Round[] = [];
      const hookedRounds: Round[] = [];
      const nestRounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        bareRounds.push(await loadRound(bareUrl, roundSeconds, 'bare Fastify'));
        hookedRounds.push(await loadRound(hookedUrl, roundSeconds, 'Fastify with the product hooks'));
        nestRounds.push(await loadRound(nestUrl, roundSeconds, 'Nest stack'));
      }
      const hookedFigures = combine(hookedRounds);
      const base = combine(bareRounds);
      const product = combine(nestRounds);
      const ratio = ratioOf(product.reqPerSec, base.reqPerSec);
      const result: BenchResult = {
        name: 'http',
        value: product.reqPerSec,
        unit: 'req/s',
        baseline: `bare Fastify GET ${PING_PATH} -> { ok: true }, same process and run`,
        baselineValue: base.reqPerSec,
        ratio,
        goal: `>= ${GOAL_RATIO}x req/s`,
        met: ratio >= GOAL_RATIO,
        extra: {
          route: `GET ${PING_PATH}`,
          connections: CONNECTIONS,
          secondsPerServer: roundSeconds * ROUNDS,
          rounds: ROUNDS,
          p99Ms: product.p99Ms,
          baselineP99Ms: base.p99Ms,
          nest: product,
          bareFastify: base,
          fastifyWithProductHooks: {
            ...hookedFigures,
            ratioToBare: ratioOf(hookedFigures.reqPerSec, base.reqPerSec),
            note: 'same headers, correlation id and request log as the product, without Nest (not the goal)',
          },
        },
      };
      return result;
    } finally {
      await nest.close();
      await hooked.close();
      await bare.close();
    }
  });
