import { pooledRandomBytes } from './random-pool';

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes of the asked length, never the same bytes twice, across refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const b = pooledRandomBytes(32);
      expect(b).toHaveLength(32);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(1000); // 1000 x 32 bytes spans several 4 KB refills
  });

  it('returns copies: changing one does not change the next', () => {
    const a = pooledRandomBytes(16);
    a.fill(0);
    expect(pooledRandomBytes(16).equals(Buffer.alloc(16))).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a length of %p', (n) => {
    expect(() => pooledRandomBytes(n)).toThrow(RangeError);
  });

  it('serves sizes larger than the pool directly', () => {
    const big = pooledRandomBytes(10_000);
    expect(big).toHaveLength(10_000);
    expect(big.equals(Buffer.alloc(10_000))).toBe(false);
  });
});
