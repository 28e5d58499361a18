import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { FEE_SCHEDULES } from '@app/claims';
import { createFirm, createStaff, type TestFirm } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('GET /court-fees', () => {
  let t: TestApp;
  let firm: TestFirm;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    firm = await createFirm(t);
    token = (await createStaff(t, firm, 'paralegal')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (qs: string) => request(t.http).get(`/api/v1/court-fees?${qs}`).set('authorization', `Bearer ${token}`);

  it.each([
    [
      'claimValueKrw=2800000&plaintiffs=14&defendants=1',
      { division: 'small', stampDutyKrw: 14_000, serviceFeeKrw: 15 * 10 * 5200 },
    ],
    ['claimValueKrw=2800000&plaintiffs=14&defendants=1&eFiling=true', { stampDutyKrw: 12_600 }],
    ['claimValueKrw=50000000&plaintiffs=1&defendants=1', { division: 'single', stampDutyKrw: 230_000 }],
    [
      'claimValueKrw=599400000&plaintiffs=1998&defendants=1&eFiling=true',
      { division: 'panel', stampDutyKrw: 2_207_300, serviceFeeKrw: 1999 * 15 * 5200 },
    ],
    [
      'claimValueKrw=599400000&plaintiffs=1998&defendants=1&serviceCount=counsel-and-defendants',
      { stampDutyKrw: 2_452_600, serviceFeeKrw: 2 * 15 * 5200 },
    ],
  ])('%s', async (qs, expected) => {
    const res = await get(qs).expect(200);
    expect(res.body).toMatchObject(expected);
  });

  it.each([
    'claimValueKrw=-1&plaintiffs=1&defendants=1',
    'claimValueKrw=1.5&plaintiffs=1&defendants=1',
    'claimValueKrw=100&plaintiffs=0&defendants=1',
    'claimValueKrw=100&plaintiffs=1&defendants=0',
    'claimValueKrw=100&plaintiffs=1',
    'claimValueKrw=abc&plaintiffs=1&defendants=1',
    'claimValueKrw=100&plaintiffs=1&defendants=1&eFiling=yes',
    'claimValueKrw=100&plaintiffs=1&defendants=1&serviceCount=some',
    'claimValueKrw=100&plaintiffs=1&defendants=1&extra=1',
    'claimValueKrw=99999999999999999999&plaintiffs=1&defendants=1',
  ])('rejects %s with 400', async (qs) => {
    const res = await get(qs).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('requires a session', async () => {
    await request(t.http).get('/api/v1/court-fees?claimValueKrw=1&plaintiffs=1&defendants=1').expect(401);
  });
});

describe('court fees under a schedule from COURT_FEE_SCHEDULES_FILE', () => {
  it('uses the schedule in force today: a raised service fee applies without a release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsi-fees-e2e-'));
    const latest = FEE_SCHEDULES[FEE_SCHEDULES.length - 1];
    const file = join(dir, 'schedules.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          ...latest,
          effectiveFrom: '2026-01-01',
          source: 'test',
          serviceFee: { ...latest.serviceFee, unitPriceKrw: 5_500 },
        },
      ]),
    );
    const t = await startTestApp({ env: { COURT_FEE_SCHEDULES_FILE: file } });
    try {
      const firm = await createFirm(t);
      const token = (await createStaff(t, firm, 'paralegal')).token;
      const res = await request(t.http)
        .get('/api/v1/court-fees?claimValueKrw=2800000&plaintiffs=14&defendants=1')
        .set('authorization', `Bearer ${token}`)
        .expect(200);
      expect(res.body).toMatchObject({ division: 'small', stampDutyKrw: 14_000, serviceFeeKrw: 15 * 10 * 5_500 });
      // Checked against the schedule in force: a party count the built-in fee could still compute
      // exactly, but 5,500 won cannot, is the caller's 400, never a 500.
      const tooMany = await request(t.http)
        .get('/api/v1/court-fees?claimValueKrw=600000000&plaintiffs=110000000000&defendants=1')
        .set('authorization', `Bearer ${token}`)
        .expect(400);
      expect(tooMany.body.code).toBe('VALIDATION_FAILED');
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
