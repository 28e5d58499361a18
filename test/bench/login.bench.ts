import request from 'supertest';
import * as argon2 from 'argon2';
import { ARGON2_OPTIONS, FirmService } from '@app/security';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { withBenchEnvironment, benchSeconds } from './bench-helpers';
import { ratioOf, type Bench } from './bench-types';

const PASSWORD = 'a long benchmark passphrase 2026';
const CONCURRENCY = 4;

async function during(seconds: number, concurrency: number, op: () => Promise<void>): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await op();
        done++;
      }
    }),
  );
  return done / ((Date.now() - start) / 1000);
}

/**
 * Full logins (HTTP, throttle counters in Redis, argon2id verify, session insert, audit event)
 * against raw argon2id hashes with the same parameters, same concurrency, same run.
 */
export const bench: Bench = () =>
  withBenchEnvironment(
    async ({ config }) => {
      const seconds = Math.max(3, Math.round(benchSeconds(10) / 2));
      const app = await createApiApp(config);
      await app.getHttpAdapter().getInstance().ready();
      try {
        const email = `bench-${Date.now()}@firm.test`;
        await app.get(FirmService).createWithAdmin('Bench firm', { email, name: 'Bench', password: PASSWORD });
        const http = app.getHttpServer();
        const login = async (): Promise<void> => {
          const res = await request(http).post('/api/v1/auth/login').send({ email, password: PASSWORD });
          if (res.status !== 200) throw new Error(`login answered ${res.status}`);
        };
        await login();
        const raw = await during(seconds, CONCURRENCY, async () => {
          await argon2.hash(PASSWORD, ARGON2_OPTIONS);
        });
        const product = await during(seconds, CONCURRENCY, login);
        const ratio = ratioOf(Math.round(product * 10) / 10, Math.round(raw * 10) / 10);
        return {
          name: 'login',
          value: Math.round(product * 10) / 10,
          unit: 'logins/s',
          baseline: `raw argon2id hashes/s (m=${ARGON2_OPTIONS.memoryCost} KiB, t=${ARGON2_OPTIONS.timeCost}, p=${ARGON2_OPTIONS.parallelism}), same concurrency ${CONCURRENCY}`,
          baselineValue: Math.round(raw * 10) / 10,
          ratio,
          goal: 'report (argon2 dominates by design)',
          met: true,
          extra: { seconds, concurrency: CONCURRENCY },
        };
      } finally {
        await app.close();
      }
    },
    { LOGIN_MAX_PER_ACCOUNT: '10000', LOGIN_MAX_PER_ADDRESS: '100000' },
  );
