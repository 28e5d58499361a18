import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';
import { createFirm, type TestFirm } from '../helpers/factories';

describe('foundation (real PostgreSQL + Redis)', () => {
  let t: TestApp;
  let firm: TestFirm;

  beforeAll(async () => {
    t = await startTestApp({ worker: true });
    firm = await createFirm(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /api/v1/health reports db and redis up', async () => {
    const res = await request(t.http).get('/api/v1/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', db: 'up', redis: 'up', version: expect.any(String) });
    expect(res.headers['x-correlation-id']).toEqual(expect.any(String));
  });

  it('a system.ping travels request -> outbox -> worker -> database', async () => {
    const res = await request(t.http)
      .post('/api/v1/system/pings')
      .set('authorization', `Bearer ${firm.adminToken}`)
      .expect(202);
    const { id, jobId } = res.body as { id: string; jobId: string };
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await waitFor(
      async () => {
        const r = await request(t.http)
          .get(`/api/v1/system/pings/${id}`)
          .set('authorization', `Bearer ${firm.adminToken}`)
          .expect(200);
        return r.body.processedAt ? (r.body as { processedAt: string }) : undefined;
      },
      { what: 'the ping to be processed' },
    );
    expect(done).toMatchObject({ id, jobId, runs: 1, processedBy: expect.any(String) });
    const rows = await t.api
      .get(DataSource)
      .query('SELECT completed_at, dispatch_count FROM outbox WHERE id = $1', [jobId]);
    expect(rows[0].completed_at).not.toBeNull();
    expect(rows[0].dispatch_count).toBe(1);
  });

  it('malformed JSON -> 400 envelope, no stack', async () => {
    const res = await request(t.http)
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .set('x-correlation-id', 'test-correlation-123')
      .send('{"broken":')
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'MALFORMED_JSON',
      message: expect.any(String),
      correlationId: 'test-correlation-123',
    });
    expect(res.headers['x-correlation-id']).toBe('test-correlation-123');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('unknown route -> 404 envelope', async () => {
    const res = await request(t.http).get('/api/v1/nope').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', correlationId: expect.any(String) });
  });

  it('wrong method -> 405 envelope with Allow', async () => {
    const res = await request(t.http).delete('/api/v1/health').expect(405);
    expect(res.body).toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(res.headers.allow).toContain('GET');
  });

  it('bad id -> 400 envelope, missing id -> 404', async () => {
    const auth = `Bearer ${firm.adminToken}`;
    const bad = await request(t.http).get('/api/v1/system/pings/not-a-uuid').set('authorization', auth).expect(400);
    expect(bad.body.code).toBe('BAD_REQUEST');
    await request(t.http)
      .get('/api/v1/system/pings/4a1e7c9e-8c59-4f7e-9d0b-1f1f1f1f1f1f')
      .set('authorization', auth)
      .expect(404);
  });

  it('oversized body -> 413 envelope', async () => {
    const res = await request(t.http)
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ x: 'a'.repeat(t.config.bodyLimitBytes + 10) }))
      .expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('security headers are set', async () => {
    const res = await request(t.http).get('/api/v1/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(t.http).get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/api/v1/health');
  });
});
