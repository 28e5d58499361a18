import { rmSync } from 'node:fs';
import IORedis from 'ioredis';
import { dropDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const server = process.env.JSI_TEST_SERVER_URL;
  const name = process.env.JSI_TEST_DATABASE;
  if (server && name) await dropDatabase(server, name);
  const prefix = process.env.QUEUE_PREFIX;
  if (prefix?.startsWith('jsitest-') && process.env.REDIS_URL) {
    const redis = new IORedis(process.env.REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  if (process.env.DATA_DIR?.includes('jsi_test_')) rmSync(process.env.DATA_DIR, { recursive: true, force: true });
  await globalThis.__JSI_EMBEDDED_PG__?.stop();
}
