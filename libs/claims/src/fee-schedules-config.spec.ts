import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEE_SCHEDULES, scheduleFor } from './fee-schedule';
import { loadFeeSchedules } from './fee-schedules-config';
import { serviceFeeKrw } from './service-fee';

describe('loadFeeSchedules (COURT_FEE_SCHEDULES_FILE)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jsi-fees-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const base = FEE_SCHEDULES[FEE_SCHEDULES.length - 1];
  const newer = {
    ...base,
    effectiveFrom: '2027-03-01',
    source: 'service fee raised to 5,500 won',
    serviceFee: { ...base.serviceFee, unitPriceKrw: 5_500 },
  };

  it('is the built-in schedules without a file', () => {
    expect(loadFeeSchedules(undefined)).toBe(FEE_SCHEDULES);
  });

  it('adds a newer schedule from its first day; earlier dates keep the built-in one', () => {
    const all = loadFeeSchedules(file('newer.json', [newer]));
    expect(all.map((s) => s.effectiveFrom)).toEqual([...FEE_SCHEDULES.map((s) => s.effectiveFrom), '2027-03-01']);
    const parties = { plaintiffs: 1, defendants: 1, division: 'small' as const };
    expect(serviceFeeKrw(parties, scheduleFor('2027-03-01', all))).toBe(2 * 10 * 5_500);
    expect(serviceFeeKrw(parties, scheduleFor('2027-02-28', all))).toBe(2 * 10 * 5_200);
  });

  it('replaces a built-in schedule of the same first day', () => {
    const all = loadFeeSchedules(file('same-day.json', [{ ...newer, effectiveFrom: base.effectiveFrom }]));
    expect(all).toHaveLength(FEE_SCHEDULES.length);
    expect(scheduleFor(base.effectiveFrom, all).serviceFee.unitPriceKrw).toBe(5_500);
  });

  it.each([
    ['not JSON', '{ nope', /not a readable JSON file/],
    ['not an array', { ...newer }, /non-empty JSON array/],
    ['empty', [], /non-empty JSON array/],
    [
      'a missing field',
      [{ ...newer, serviceFee: { unitPriceKrw: 5_500 } }],
      /\[0\] serviceFee\.servicesPerParty must be an object/,
    ],
    [
      'a string for a number',
      [{ ...newer, division: { ...newer.division, smallMaxKrw: '30000000' } }],
      /\[0\] division\.smallMaxKrw must be a number/,
    ],
    ['an unknown field', [{ ...newer, discount: 1 }], /\[0\] discount is not a schedule field/],
    ['a bad figure', [{ ...newer, serviceFee: { ...newer.serviceFee, unitPriceKrw: -1 } }], /\[0\] serviceFee/],
    ['a date twice', [newer, newer], /\[1\] effectiveFrom: 2027-03-01 appears twice/],
    [
      'a stamp rate above 1 (a typo)',
      [
        {
          ...newer,
          stampDuty: {
            ...newer.stampDuty,
            brackets: [{ fromKrw: 0, rateNumerator: 45, rateDenominator: 1, addKrw: 0 }],
          },
        },
      ],
      /\[0\] stampDuty\.brackets\.0: the rate .* must not exceed 1/,
    ],
    [
      'an inherited name as a field',
      [JSON.parse(JSON.stringify({ ...newer, constructor: 1 }))],
      /\[0\] constructor is not a schedule field/,
    ],
  ])('refuses a file with %s, naming the problem', (_, content, problem) => {
    expect(() => loadFeeSchedules(file('bad.json', content))).toThrow(problem);
  });

  it('refuses a file that is not there', () => {
    expect(() => loadFeeSchedules(join(dir, 'missing.json'))).toThrow(/COURT_FEE_SCHEDULES_FILE .*missing\.json/);
  });
});
