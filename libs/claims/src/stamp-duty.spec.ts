import fc from 'fast-check';
import { FEE_SCHEDULES, type FeeSchedule } from './fee-schedule';
import { paperStampDutyKrw, stampDutyKrw } from './stamp-duty';

/** Claim values weighted towards the bracket edges, plus the whole safe range. */
const claimValue = fc.oneof(
  fc.integer({ min: 0, max: 300_000 }),
  fc.integer({ min: 9_000_000, max: 11_000_000 }),
  fc.integer({ min: 99_000_000, max: 101_000_000 }),
  fc.integer({ min: 999_000_000, max: 1_001_000_000 }),
  fc.maxSafeNat(),
);

describe('stamp duty', () => {
  // [claim value, paper, e-filed]; each hand-computed from domain.md section 4.
  const table: [number, number, number][] = [
    // 9,999,999 x 50/10,000 = 49,999.995 -> 49,900; x 9/10 = 44,910 -> 44,900
    [9_999_999, 49_900, 44_900],
    // 10,000,000 x 45/10,000 + 5,000 = 50,000; 45,000
    [10_000_000, 50_000, 45_000],
    // 99,999,999 x 45/10,000 + 5,000 = 454,999.9955 -> 454,900; 409,410 -> 409,400
    [99_999_999, 454_900, 409_400],
    // 100,000,000 x 40/10,000 + 55,000 = 455,000; 409,500
    [100_000_000, 455_000, 409_500],
    // 999,999,999 x 40/10,000 + 55,000 = 4,054,999.996 -> 4,054,900; 3,649,410 -> 3,649,400
    [999_999_999, 4_054_900, 3_649_400],
    // 1,000,000,000 x 35/10,000 + 555,000 = 4,055,000; 3,649,500
    [1_000_000_000, 4_055_000, 3_649_500],
    // worked examples of domain.md
    [2_800_000, 14_000, 12_600], // 14 plaintiffs x 200,000
    [50_000_000, 230_000, 207_000],
    [599_400_000, 2_452_600, 2_207_300], // 1,998 plaintiffs x 300,000
    // 33.7 million plaintiffs x 100,000 won = 3,370,000,000,000 (panel):
    //   3,370,000,000,000 x 35 / 10,000 = 11,795,000,000; + 555,000 = 11,795,555,000 (already whole hundreds)
    //   e-filed: 11,795,555,000 x 9 / 10 = 10,615,999,500
    [3_370_000_000_000, 11_795_555_000, 10_615_999_500],
    // Number.MAX_SAFE_INTEGER: V x 35 = 315,251,973,915,934,685 (past 2^53, done in bigint);
    //   / 10,000 + 555,000 = 31,525,197,946,593.47 -> 31,525,197,946,500; x 9/10 = ...851.7 -> 28,372,678,151,800
    [Number.MAX_SAFE_INTEGER, 31_525_197_946_500, 28_372_678_151_800],
  ];

  it.each(table)('%d won -> %d on paper, %d e-filed', (value, paper, eFiled) => {
    expect(paperStampDutyKrw(value)).toBe(paper);
    expect(stampDutyKrw(value, false)).toBe(paper);
    expect(stampDutyKrw(value, true)).toBe(eFiled);
  });

  // The 1,000-won floor; e-filing keeps the floor (see stamp-duty.ts).
  it.each([
    [0, 1_000, 1_000],
    [1, 1_000, 1_000],
    [199_999, 1_000, 1_000], // 999.995 -> under 1,000 -> 1,000
    [200_000, 1_000, 1_000], // exactly 1,000; e-filed 900 -> floored to 1,000
    [219_999, 1_000, 1_000], // 1,099.995 -> 1,000
    [220_000, 1_100, 1_000], // e-filed 990 -> floored to 1,000
    [240_000, 1_200, 1_000], // e-filed 1,080 -> 1,000
    [260_000, 1_300, 1_100], // e-filed 1,170 -> 1,100
  ])('floor: %d won -> %d on paper, %d e-filed', (value, paper, eFiled) => {
    expect(stampDutyKrw(value, false)).toBe(paper);
    expect(stampDutyKrw(value, true)).toBe(eFiled);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'refuses a claim value of %d with a RangeError',
    (value) => {
      expect(() => stampDutyKrw(value, true)).toThrow(RangeError);
    },
  );

  it('takes every constant from the schedule (a law change is data)', () => {
    const base = FEE_SCHEDULES[0];
    const changed: FeeSchedule = {
      ...base,
      effectiveFrom: '2030-01-01',
      stampDuty: { ...base.stampDuty, minimumKrw: 2_000, eFilingMinimumKrw: 1_500, eFilingNumerator: 8 },
    };
    expect(stampDutyKrw(0, false, changed)).toBe(2_000);
    expect(stampDutyKrw(0, true, changed)).toBe(1_600); // 2,000 x 8/10
    expect(stampDutyKrw(2_800_000, true, changed)).toBe(11_200); // 14,000 x 8/10
  });

  describe('properties', () => {
    it('never decreases as the claim value grows (paper and e-filed)', () => {
      fc.assert(
        fc.property(claimValue, claimValue, fc.boolean(), (a, b, eFiling) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(stampDutyKrw(low, eFiling)).toBeLessThanOrEqual(stampDutyKrw(high, eFiling));
        }),
        { numRuns: 2_000 },
      );
    });

    it('never decreases from one won to the next', () => {
      fc.assert(
        fc.property(claimValue, fc.boolean(), (v, eFiling) => {
          fc.pre(v < Number.MAX_SAFE_INTEGER);
          expect(stampDutyKrw(v, eFiling)).toBeLessThanOrEqual(stampDutyKrw(v + 1, eFiling));
        }),
        { numRuns: 2_000 },
      );
    });

    it('e-filed is never more than paper', () => {
      fc.assert(
        fc.property(claimValue, (v) => {
          expect(stampDutyKrw(v, true)).toBeLessThanOrEqual(stampDutyKrw(v, false));
        }),
        { numRuns: 2_000 },
      );
    });

    it('is an integer multiple of 100 from 1,000 up', () => {
      fc.assert(
        fc.property(claimValue, fc.boolean(), (v, eFiling) => {
          const duty = stampDutyKrw(v, eFiling);
          expect(Number.isSafeInteger(duty)).toBe(true);
          expect(duty % 100).toBe(0);
          expect(duty).toBeGreaterThanOrEqual(1_000);
        }),
        { numRuns: 2_000 },
      );
    });

    it('matches the rate of its bracket to within the rounding (independent bigint oracle)', () => {
      fc.assert(
        fc.property(claimValue, (v) => {
          const V = BigInt(v);
          const [rate, add] =
            V < 10_000_000n
              ? [50n, 0n]
              : V < 100_000_000n
                ? [45n, 5_000n]
                : V < 1_000_000_000n
                  ? [40n, 55_000n]
                  : [35n, 555_000n];
          const exactTimes10000 = V * rate + add * 10_000n; // duty x 10,000
          const duty = BigInt(paperStampDutyKrw(v));
          if (exactTimes10000 < 10_000_000n) {
            expect(duty).toBe(1_000n);
          } else {
            // duty <= exact < duty + 100
            expect(duty * 10_000n <= exactTimes10000).toBe(true);
            expect(exactTimes10000 < (duty + 100n) * 10_000n).toBe(true);
          }
        }),
        { numRuns: 2_000 },
      );
    });
  });
});
