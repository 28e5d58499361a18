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
 * Fixed-window counters in Redis, so every API process shares them. Keys hold a hash of the
 * subject (an email or address), never the value itself.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private client: Redis | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private redis(): Redis {
    if (!this.client) {
      this.client = createRedisClient(this.config.redisUrl, 'jsi-ratelimit');
      this.client.on('error', () => undefined);
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
    const results = await this.redis().multi().incr(key).expire(key, rule.windowSeconds, 'NX').ttl(key).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const ttl = Number(results?.[2]?.[1] ?? rule.windowSeconds);
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
