import type { AppConfig } from '@app/platform';
import { AuditRetentionScheduler } from './audit-retention.scheduler';
import type { AuditService } from './audit.service';

describe('AuditRetentionScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const make = (hours: number, purge: jest.Mock) =>
    new AuditRetentionScheduler(
      { purgeExpired: purge } as unknown as AuditService,
      { auditPurgeIntervalHours: hours } as AppConfig,
    );
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('purges a minute after boot, then every interval, and stops on shutdown', async () => {
    const purge = jest.fn().mockResolvedValue({ chains: 0, purged: 0, failures: [] });
    const s = make(24, purge);
    s.onApplicationBootstrap();
    jest.advanceTimersByTime(59_999);
    expect(purge).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(purge).toHaveBeenCalledTimes(1);
    await flush();
    jest.advanceTimersByTime(24 * 3_600_000);
    expect(purge).toHaveBeenCalledTimes(2);
    await flush();
    await s.beforeApplicationShutdown();
    jest.advanceTimersByTime(48 * 3_600_000);
    expect(purge).toHaveBeenCalledTimes(2);
  });

  it('keeps going after a failed run', async () => {
    const purge = jest
      .fn()
      .mockRejectedValueOnce(new Error('db down'))
      .mockResolvedValue({
        chains: 1,
        purged: 3,
        failures: ['chain x: broken'],
      });
    const s = make(1, purge);
    s.onApplicationBootstrap();
    jest.advanceTimersByTime(60_000);
    await flush();
    jest.advanceTimersByTime(3_600_000);
    expect(purge).toHaveBeenCalledTimes(2);
    await flush();
    await s.beforeApplicationShutdown();
  });

  it('never runs with AUDIT_PURGE_INTERVAL_HOURS=0', () => {
    const purge = jest.fn();
    make(0, purge).onApplicationBootstrap();
    jest.advanceTimersByTime(365 * 24 * 3_600_000);
    expect(purge).not.toHaveBeenCalled();
  });
});
