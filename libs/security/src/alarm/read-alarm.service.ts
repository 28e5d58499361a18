import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, DomainError, createRedisClient, type AppConfig, queryRows } from '@app/platform';
import { AuditService } from '../audit/audit.service';
import { StaffSessionService } from '../auth/staff-session.service';
import type { StaffPrincipal } from '../tenancy';

/**
 * The lesson of the breach: notice unusual read volume in minutes. Per staff member, a sorted set
 * in Redis holds the distinct people whose decrypted data they read or exported, scored by time;
 * above the threshold within the window an alert is audited and (by default) the person's access
 * is suspended until an admin re-enables them.
 */
@Injectable()
export class ReadAlarmService implements OnApplicationShutdown {
  private readonly log = new Logger(ReadAlarmService.name);
  private client: Redis | undefined;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly sessions: StaffSessionService,
  ) {}

  private redis(): Redis {
    if (!this.client) {
      this.client = createRedisClient(this.config.redisUrl, 'jsi-read-alarm');
      this.client.on('error', () => undefined);
    }
    return this.client;
  }

  /**
   * Counts reads of these people's data. Throws (and suspends, when configured) if this pushes the
   * reader over the threshold, so the read that crosses the line is not served.
   */
  async noteReads(reader: StaffPrincipal, personIds: readonly string[]): Promise<void> {
    if (personIds.length === 0) return;
    const now = Date.now();
    const windowMs = this.config.readAlarmWindowMinutes * 60_000;
    const key = `${this.config.queuePrefix}:read-alarm:${reader.staffId}`;
    const args: (string | number)[] = [];
    for (const id of personIds) args.push(now, id);
    const res = await this.redis()
      .multi()
      .zremrangebyscore(key, 0, now - windowMs)
      .zadd(key, ...args)
      .zcard(key)
      .pexpire(key, windowMs)
      .exec();
    const distinct = Number(res?.[2]?.[1] ?? 0);
    if (distinct <= this.config.readAlarmThreshold) return;
    await this.raise(reader, distinct);
    if (this.config.readAlarmSuspend) {
      throw new DomainError('FORBIDDEN', 'Access suspended after unusual read volume; an admin must re-enable it');
    }
  }

  private async raise(reader: StaffPrincipal, distinct: number): Promise<void> {
    this.log.warn(`read-volume alarm for staff ${reader.staffId}: ${distinct} people`);
    await this.ds.transaction(async (tx) => {
      let suspended = false;
      if (this.config.readAlarmSuspend) {
        const rows = await queryRows<{ id: string }>(
          tx,
          `UPDATE staff SET suspended_at = now(), suspended_reason = 'read_volume_alarm'
            WHERE id = $1 AND suspended_at IS NULL RETURNING id`,
          [reader.staffId],
        );
        suspended = rows.length > 0;
        await this.sessions.revokeAll(tx, reader.staffId, 'read_volume_alarm');
      }
      await this.audit.record(tx, {
        firmId: reader.firmId,
        actorType: 'system',
        actorId: null,
        action: 'security.read_alarm',
        subjectType: 'staff',
        subjectId: reader.staffId,
        details: {
          distinctPeople: distinct,
          threshold: this.config.readAlarmThreshold,
          windowMinutes: this.config.readAlarmWindowMinutes,
          suspended,
        },
        retention: 'security',
      });
    });
    if (this.config.readAlarmSuspend) await this.redis().del(`${this.config.queuePrefix}:read-alarm:${reader.staffId}`);
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
