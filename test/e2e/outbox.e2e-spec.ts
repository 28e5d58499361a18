import request from 'supertest';
import { DataSource } from 'typeorm';
import { OutboxRelay, SystemPingService } from '@app/platform';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

describe('outbox relay', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    // The relay is driven by hand here; the worker consumes.
    t = await startTestApp({ worker: true, env: { OUTBOX_RELAY: 'false', OUTBOX_REDISPATCH_AFTER_SECONDS: '60' } });
    ds = t.api.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('two relays running at once send every row exactly once (FOR UPDATE SKIP LOCKED)', async () => {
    const pings = t.api.get(SystemPingService);
    const created = await Promise.all(Array.from({ length: 60 }, () => pings.request()));
    const relay = t.api.get(OutboxRelay);
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      const counts = await Promise.all([relay.relayOnce(), relay.relayOnce(), relay.relayOnce()]);
      sent += counts.reduce((a, b) => a + b, 0);
    }
    const rows = await ds.query(`SELECT dispatch_count FROM outbox WHERE id = ANY($1::uuid[])`, [
      created.map((c) => c.jobId),
    ]);
    expect(rows).toHaveLength(60);
    for (const r of rows) expect(r.dispatch_count).toBe(1);
    expect(sent).toBeGreaterThanOrEqual(60);
    await waitFor(async () => {
      const done = await ds.query(
        `SELECT count(*)::int AS n FROM system_pings WHERE id = ANY($1::uuid[]) AND processed_at IS NOT NULL`,
        [created.map((c) => c.id)],
      );
      return done[0].n === 60 ? true : undefined;
    });
  });

  it('re-sends a row whose job was lost, and the handler stays idempotent', async () => {
    const { id, jobId } = await t.api.get(SystemPingService).request();
    // Pretend it was sent long ago and the job vanished from Redis.
    await ds.query(`UPDATE outbox SET dispatched_at = now() - interval '2 hours', dispatch_count = 1 WHERE id = $1`, [
      jobId,
    ]);
    await t.api.get(OutboxRelay).relayOnce();
    const done = await waitFor(async () => {
      const r = await ds.query(`SELECT processed_at, runs FROM system_pings WHERE id = $1`, [id]);
      return r[0].processed_at ? r[0] : undefined;
    });
    expect(done.runs).toBe(1);
    const o = await ds.query(`SELECT dispatch_count, completed_at FROM outbox WHERE id = $1`, [jobId]);
    expect(o[0].dispatch_count).toBe(2);
    await waitFor(async () => {
      const c = await ds.query(`SELECT completed_at FROM outbox WHERE id = $1`, [jobId]);
      return c[0].completed_at ? true : undefined;
    });
  });

  it('CORS answers only the configured origins', async () => {
    const app = await startTestApp({ env: { CORS_ORIGINS: 'https://desk.example.kr' } });
    try {
      const ok = await request(app.http)
        .options('/api/v1/health')
        .set('origin', 'https://desk.example.kr')
        .set('access-control-request-method', 'GET');
      expect(ok.headers['access-control-allow-origin']).toBe('https://desk.example.kr');
      const no = await request(app.http)
        .options('/api/v1/health')
        .set('origin', 'https://evil.example.com')
        .set('access-control-request-method', 'GET');
      expect(no.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
