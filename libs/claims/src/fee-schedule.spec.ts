import {
  DEFAULT_FEE_SCHEDULE,
  FEE_SCHEDULES,
  isIsoDate,
  scheduleFor,
  validateFeeSchedule,
  type FeeSchedule,
} from './fee-schedule';
import { serviceFeeKrw } from './service-fee';

describe('fee schedules', () => {
  it('every shipped schedule is valid, and they are in date order', () => {
    for (const schedule of FEE_SCHEDULES) expect(validateFeeSchedule(schedule)).toEqual([]);
    const dates = FEE_SCHEDULES.map((s) => s.effectiveFrom);
    expect([...dates].sort()).toEqual(dates);
  });

  it('holds the figures of domain.md section 4', () => {
    expect(DEFAULT_FEE_SCHEDULE.division).toEqual({ smallMaxKrw: 30_000_000, singleMaxKrw: 500_000_000 });
    expect(DEFAULT_FEE_SCHEDULE.stampDuty.brackets).toEqual([
      { fromKrw: 0, rateNumerator: 50, rateDenominator: 10_000, addKrw: 0 },
      { fromKrw: 10_000_000, rateNumerator: 45, rateDenominator: 10_000, addKrw: 5_000 },
      { fromKrw: 100_000_000, rateNumerator: 40, rateDenominator: 10_000, addKrw: 55_000 },
      { fromKrw: 1_000_000_000, rateNumerator: 35, rateDenominator: 10_000, addKrw: 555_000 },
    ]);
    expect(DEFAULT_FEE_SCHEDULE.serviceFee).toEqual({
      unitPriceKrw: 5_200,
      servicesPerParty: { small: 10, single: 15, panel: 15 },
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_FEE_SCHEDULE.serviceFee.servicesPerParty)).toBe(true);
    expect(Object.isFrozen(DEFAULT_FEE_SCHEDULE.stampDuty.brackets[0])).toBe(true);
  });

  describe('scheduleFor', () => {
    const base = FEE_SCHEDULES[0];
    const later: FeeSchedule = {
      ...base,
      effectiveFrom: '2026-03-01',
      serviceFee: { ...base.serviceFee, unitPriceKrw: 5_500 },
    };
    const schedules = [base, later];

    it.each([
      ['2025-01-01', '2025-01-01'],
      ['2026-02-28', '2025-01-01'],
      ['2026-03-01', '2026-03-01'],
      ['2099-12-31', '2026-03-01'],
    ])('on %s picks the schedule from %s', (date, effectiveFrom) => {
      expect(scheduleFor(date, schedules).effectiveFrom).toBe(effectiveFrom);
    });

    it('a change of the law is data: the later unit price applies from its date', () => {
      const input = { plaintiffs: 9, defendants: 1, division: 'small' as const };
      expect(serviceFeeKrw(input, scheduleFor('2026-02-28', schedules))).toBe(520_000); // 10 x 10 x 5,200
      expect(serviceFeeKrw(input, scheduleFor('2026-03-01', schedules))).toBe(550_000); // 10 x 10 x 5,500
    });

    it('the shipped list answers for 2025 filings', () => {
      expect(scheduleFor('2025-12-08')).toBe(DEFAULT_FEE_SCHEDULE);
    });

    it('throws before the first schedule and for a malformed date', () => {
      expect(() => scheduleFor('2024-12-31')).toThrow(/no court-fee schedule is in force on 2024-12-31/);
      expect(() => scheduleFor('2025-02-30')).toThrow(RangeError);
      expect(() => scheduleFor('25-01-01')).toThrow(RangeError);
    });
  });

  it('isIsoDate accepts only real calendar dates', () => {
    expect(['2024-02-29', '2025-12-31'].map(isIsoDate)).toEqual([true, true]);
    expect(['2025-02-29', '2025-13-01', '2025-1-1', 20250101, ''].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  describe('validateFeeSchedule', () => {
    const base = FEE_SCHEDULES[0];
    it('refuses a bracket that would make the duty fall at its edge', () => {
      const [b0, b1, b2, b3] = base.stampDuty.brackets;
      const broken: FeeSchedule = {
        ...base,
        stampDuty: { ...base.stampDuty, brackets: [b0, { ...b1, addKrw: 0 }, b2, b3] },
      };
      expect(validateFeeSchedule(broken)).toEqual([
        { field: 'stampDuty.brackets.1', message: 'stamp duty would fall at this bracket edge' },
      ]);
    });

    it('refuses unordered brackets, a zero divisor, an inverted division and an e-filing fraction above 1', () => {
      const [b0, b1] = base.stampDuty.brackets;
      const broken: FeeSchedule = {
        ...base,
        effectiveFrom: '2025-1-1',
        division: { smallMaxKrw: 500_000_000, singleMaxKrw: 30_000_000 },
        stampDuty: {
          ...base.stampDuty,
          brackets: [b0, { ...b1, rateDenominator: 0 }, { ...b1, fromKrw: 5 }],
          eFilingNumerator: 11,
        },
        serviceFee: { unitPriceKrw: 0, servicesPerParty: { small: 10, single: 15, panel: 0 } },
      };
      expect(validateFeeSchedule(broken).map((e) => e.field)).toEqual([
        'effectiveFrom',
        'division',
        'stampDuty.brackets.1',
        'stampDuty.brackets.2',
        'stampDuty.eFiling',
        'serviceFee.unitPriceKrw',
        'serviceFee.servicesPerParty.panel',
      ]);
    });
  });
});
