import { serviceFeeKrw, serviceParties } from './service-fee';

describe('service fee deposit', () => {
  it.each([
    // parties x services per party x 5,200
    [{ plaintiffs: 14, defendants: 1, division: 'small' as const }, 780_000], // 15 x 10 x 5,200
    [{ plaintiffs: 100, defendants: 1, division: 'single' as const }, 7_878_000], // 101 x 15 x 5,200
    [{ plaintiffs: 1_998, defendants: 1, division: 'panel' as const }, 155_922_000], // 1,999 x 15 x 5,200
    // counsel counts as one party: (1 + 1) x 15 x 5,200
    [
      { plaintiffs: 1_998, defendants: 1, division: 'panel' as const, serviceCount: 'counsel-and-defendants' as const },
      156_000,
    ],
    [
      { plaintiffs: 14, defendants: 2, division: 'small' as const, serviceCount: 'counsel-and-defendants' as const },
      156_000,
    ], // 3 x 10 x 5,200
    // 33.7 million plaintiffs + 1 defendant: 33,700,001 x 15 x 5,200 = 2,628,600,078,000
    [{ plaintiffs: 33_700_000, defendants: 1, division: 'panel' as const }, 2_628_600_078_000],
  ])('%o -> %d won', (input, expected) => {
    expect(serviceFeeKrw(input)).toBe(expected);
  });

  it('counts parties per mode', () => {
    expect(serviceParties(10, 2, 'all-parties')).toBe(12n);
    expect(serviceParties(10, 2, 'counsel-and-defendants')).toBe(3n);
  });

  it('throws a RangeError rather than lose precision past 2^53', () => {
    // floor(MAX_SAFE_INTEGER / 78,000) = 115,476,913,522 parties is the most that fits.
    expect(serviceFeeKrw({ plaintiffs: 115_476_913_521, defendants: 1, division: 'panel' })).toBe(
      9_007_199_254_716_000,
    );
    expect(() => serviceFeeKrw({ plaintiffs: 115_476_913_522, defendants: 1, division: 'panel' })).toThrow(
      /service fee deposit is 9007199254794000 won, outside the exact integer range/,
    );
  });
});
