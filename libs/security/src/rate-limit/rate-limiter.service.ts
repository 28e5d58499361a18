import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG, DomainError, createRedisClient, type AppConfig } from '@app/platform';

export interface RateLimitRule {
  /** A namespace such as `login:account`. */
  bucket: string;
  max: number;
  windowSeconds: number;
}

/**
 * Counts a hit in one round trip and one command: INCR, start the window on the first hit
 * (EXPIRE NX), and read the time left only when the window is full. Returns [count, ttl or -1].
 */
const HIT_SCRIPT = `
  local count = redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
  if count > tonumber(ARGV[2]) then return {count, redis.call('TTL', KEYS[1])} end
  return {count, -1}`;

type LimiterRedis = Redis & {
  rateLimitHit(key: string, windowSeconds: number, max: number): Promise<[number, number]>;
};

/**
 * Fixed-window counters in Redis, so every API process shares them. Keys hold a hash of the
 * subject (an email or address), never the value itself.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private client: LimiterRedis | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private redis(): LimiterRedis {
    if (!this.client) {
      const client = createRedisClient(this.config.redisUrl, 'jsi-ratelimit');
      client.on('error', () => undefined);
      // Sent as EVALSHA (the script is loaded once, again after a Redis restart).
      client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
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
    const [count, ttl] = await this.redis().rateLimitHit(key, rule.windowSeconds, rule.max);
    if (count > rule.max) {
      throw new DomainError('RATE_LIMITED', 'Too many attempts; try again later', undefined, {
        'retry-after': String(Math.max(1, ttl)),
      });
    }
  }

  /** Throws when the window is full, without counting (check before doing the work). */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    const key = this.key(rule, subject);
    const [count, ttl] = await Promise.all([this.redis().get(key), this.redis().ttl(key)]);
    if (Number(count ?? 0) >= rule.max) {
      throw new DomainError('RATE_LIMITED', 'Too many attempts; try again later', undefined, {
        'retry-after': String(Math.max(1, ttl)),
      });
    }
  }

  async reset(rule: RateLimitRule, subject: string): Promise<void> {
    await this.redis().del(this.key(rule, subject));
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
