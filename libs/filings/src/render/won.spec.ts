import fc from 'fast-check';
import { formatAmount, formatCourtDate, formatWon } from './won';

describe('won and dates', () => {
  it('groups digits by three', () => {
    expect(formatWon(2_452_600)).toBe('2,452,600원');
    expect(formatWon(0)).toBe('0원');
    expect(formatWon(999)).toBe('999원');
    expect(formatWon(1000)).toBe('1,000원');
    expect(formatWon(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991원');
    expect(formatWon(12_345_678_901_234_567_890n)).toBe('12,345,678,901,234,567,890원');
  });

  it('matches Intl grouping for every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(formatAmount(n)).toBe(n.toLocaleString('en-US'));
      }),
    );
  });

  it('rejects non-integers and negatives', () => {
    expect(() => formatWon(1.5)).toThrow(RangeError);
    expect(() => formatWon(-1)).toThrow(RangeError);
    expect(() => formatWon(Number.NaN)).toThrow(RangeError);
    expect(() => formatWon(-1n)).toThrow(RangeError);
  });

  it('formats court dates', () => {
    expect(formatCourtDate('2026-11-21')).toBe('2026. 11. 21.');
    expect(formatCourtDate('2025-06-04')).toBe('2025. 6. 4.');
    expect(() => formatCourtDate('2026-02-29')).toThrow(RangeError);
    expect(() => formatCourtDate('21.11.2026')).toThrow(RangeError);
  });
});
