import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { createRedisClient } from '../redis/redis';

export interface HealthReport {
  status: 'ok' | 'degraded';
  db: 'up' | 'down';
  redis: 'up' | 'down';
  version: string;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

@Injectable()
export class HealthService implements OnApplicationShutdown {
  private redis: Redis | undefined;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(): Promise<HealthReport> {
    const [db, redis] = await Promise.all([
      withTimeout(this.ds.query('SELECT 1'), 2000).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      withTimeout(this.client().ping(), 2000).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    return { status: db === 'up' && redis === 'up' ? 'ok' : 'degraded', db, redis, version: this.config.version };
  }

  private client(): Redis {
    if (!this.redis) {
      this.redis = createRedisClient(this.config.redisUrl, 'jsi-health');
      this.redis.on('error', () => undefined);
    }
    return this.redis;
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
