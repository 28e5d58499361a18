import fc from 'fast-check';
import { divisionFor } from './division';
import { type Division } from './fee-schedule';

describe('divisionFor', () => {
  it.each<[number, Division]>([
    [0, 'small'],
    [29_999_999, 'small'],
    [30_000_000, 'small'],
    [30_000_001, 'single'],
    [499_999_999, 'single'],
    [500_000_000, 'single'],
    [500_000_001, 'panel'],
    [599_400_000, 'panel'],
    [3_370_000_000_000, 'panel'],
    [Number.MAX_SAFE_INTEGER, 'panel'],
  ])('%d won -> %s', (value, division) => {
    expect(divisionFor(value)).toBe(division);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %d', (value) => {
    expect(() => divisionFor(value)).toThrow(RangeError);
  });

  it('property: small up to 30,000,000, single up to 500,000,000, panel above', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 29_000_000, max: 31_000_000 }),
          fc.integer({ min: 499_000_000, max: 501_000_000 }),
          fc.maxSafeNat(),
        ),
        (v) => {
          const expected: Division = v <= 30_000_000 ? 'small' : v <= 500_000_000 ? 'single' : 'panel';
          expect(divisionFor(v)).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
