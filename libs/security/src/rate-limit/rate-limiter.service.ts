import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG, DomainError, GroupCommit, createRedisClient, type AppConfig } from '@app/platform';

export interface RateLimitRule {
  /** A namespace such as `login:account`. */
  bucket: string;
  max: number;
  windowSeconds: number;
}

/**
 * Counts hits on several keys in one command: for each key INCR, start its window on the first hit
 * (EXPIRE NX), and read the time left only when the window is full. ARGV holds each key's window
 * and limit in turn; the answer is each key's count and ttl (or -1), flat.
 */
const HITS_SCRIPT = `
  local out = {}
  for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    redis.call('EXPIRE', key, ARGV[2 * i - 1], 'NX')
    out[2 * i - 1] = count
    if count > tonumber(ARGV[2 * i]) then out[2 * i] = redis.call('TTL', key) else out[2 * i] = -1 end
  end
  return out`;

type LimiterRedis = Redis & {
  /** numKeys, the keys, then each key's window and limit. */
  rateLimitHits(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
};

/** Full windows one process remembers at most (see RateLimiter.full). */
const MAX_REMEMBERED = 10_000;

function limited(retryAfterSeconds: number): DomainError {
  return new DomainError('RATE_LIMITED', 'Too many attempts; try again later', undefined, {
    'retry-after': String(retryAfterSeconds),
  });
}

interface Hit {
  key: string;
  windowSeconds: number;
  max: number;
}

/**
 * Fixed-window counters in Redis, so every API process shares them. Keys hold a hash of the
 * subject (an email or address), never the value itself.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private client: LimiterRedis | undefined;
  /** Hits of concurrent requests go to Redis together: one command and one round trip. */
  private readonly hits = new GroupCommit<Hit, { count: number; ttl: number }>((batch) => this.send(batch), {
    maxBatch: 256,
    maxInFlight: 2,
  });

  /**
   * Windows this process has seen full, key -> when they end (ms). A full window only fills further
   * until it ends, so until then a request from that subject is refused without asking Redis: a
   * flood from one address costs neither a round trip nor the work after it.
   */
  private readonly full = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private redis(): LimiterRedis {
    if (!this.client) {
      const client = createRedisClient(this.config.redisUrl, 'jsi-ratelimit');
      client.on('error', () => undefined);
      // Sent as EVALSHA (the script is loaded once, again after a Redis restart).
      client.defineCommand('rateLimitHits', { lua: HITS_SCRIPT });
      this.client = client as LimiterRedis;
    }
    return this.client;
  }

  private key(rule: RateLimitRule, subject: string): string {
    const h = createHash('sha256').update(subject).digest('base64url').slice(0, 22);
    return `${this.config.queuePrefix}:rl:${rule.bucket}:${h}`;
  }

  /** Counts one hit; throws 429 RATE_LIMITED when the window is already full. */
  async hit(rule: RateLimitRule, subject: string): Promise<void> {
    const key = this.key(rule, subject);
    this.refuseIfKnownFull(key);
    const { count, ttl } = await this.hits.submit({ key, windowSeconds: rule.windowSeconds, max: rule.max });
    if (count > rule.max) {
      const seconds = Math.max(1, ttl);
      this.remember(key, seconds);
      throw limited(seconds);
    }
  }

  private refuseIfKnownFull(key: string): void {
    const until = this.full.get(key);
    if (until === undefined) return;
    const left = until - Date.now();
    if (left > 0) throw limited(Math.ceil(left / 1000));
    this.full.delete(key);
  }

  private remember(key: string, seconds: number): void {
    if (this.full.size >= MAX_REMEMBERED) {
      const now = Date.now();
      for (const [k, until] of this.full) if (until <= now) this.full.delete(k);
      // Still full of live windows (a flood from very many addresses): forget the oldest.
      if (this.full.size >= MAX_REMEMBERED) this.full.delete(this.full.keys().next().value as string);
    }
    this.full.set(key, Date.now() + seconds * 1000);
  }

  private async send(batch: Hit[]): Promise<{ count: number; ttl: number }[]> {
    const args = batch.flatMap((h) => [h.windowSeconds, h.max]);
    const flat = await this.redis().rateLimitHits(batch.length, ...batch.map((h) => h.key), ...args);
    return batch.map((_, i) => ({ count: Number(flat[2 * i]), ttl: Number(flat[2 * i + 1]) }));
  }

  /** Throws when the window is full, without counting (check before doing the work). */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    const key = this.key(rule, subject);
    this.refuseIfKnownFull(key);
    const [count, ttl] = await Promise.all([this.redis().get(key), this.redis().ttl(key)]);
    if (Number(count ?? 0) >= rule.max) throw limited(Math.max(1, ttl));
  }

  async reset(rule: RateLimitRule, subject: string): Promise<void> {
    const key = this.key(rule, subject);
    this.full.delete(key);
    await this.redis().del(key);
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
