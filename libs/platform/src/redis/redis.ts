import IORedis, { type Redis } from 'ioredis';

export interface RedisCheck {
  ok: boolean;
  maxmemoryPolicy?: string;
  error?: string;
}

/** A client for commands (not for BullMQ's blocking use). Fails fast rather than queueing forever. */
export function createRedisClient(url: string, name: string): Redis {
  return new IORedis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

/** Options handed to BullMQ (it builds its own ioredis clients from them). */
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/** Pings Redis once and reads its eviction policy. Never throws. */
export async function probeRedis(url: string, timeoutMs = 1500): Promise<RedisCheck> {
  const client = new IORedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    let maxmemoryPolicy: string | undefined;
    try {
      const cfg = (await client.config('GET', 'maxmemory-policy')) as string[];
      maxmemoryPolicy = cfg[1];
    } catch {
      // CONFIG may be disabled on managed Redis; read INFO instead.
      const info = await client.info('memory');
      maxmemoryPolicy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    }
    return { ok: true, maxmemoryPolicy };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    client.disconnect();
  }
}
