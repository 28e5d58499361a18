import fc from 'fast-check';
import { computeClaim } from './claim-amount';
import { validateClaimRules, type ClaimRules } from './claim-rules';
import { DATA_CATEGORIES } from './data-category';

const rules: ClaimRules = {
  version: 3,
  baseAmountKrw: 300_000,
  additionsByCategoryKrw: { entranceCode: 200_000, orderHistory: 50_000, name: 0 },
  secondaryHarmMultiplier: 3,
};

describe('computeClaim', () => {
  it('base only when nothing with an addition leaked and no loss is proven', () => {
    expect(computeClaim(rules, { exposedData: ['name', 'phone'], acceptedLossKrw: 0 })).toEqual({
      amountKrw: 300_000,
      breakdown: [{ component: 'base', amountKrw: 300_000 }],
      ruleVersion: 3,
    });
  });

  it('adds categories in a fixed order, once each, ignoring unknown strings; loss x 3', () => {
    const facts = {
      exposedData: ['entranceCode', 'name', 'orderHistory', 'entranceCode', 'bogus'],
      acceptedLossKrw: 100_000,
    };
    expect(computeClaim(rules, facts)).toEqual({
      amountKrw: 850_000,
      breakdown: [
        { component: 'base', amountKrw: 300_000 },
        { component: 'addition:orderHistory', amountKrw: 50_000 },
        { component: 'addition:entranceCode', amountKrw: 200_000 },
        { component: 'secondaryHarm', amountKrw: 100_000 },
        { component: 'secondaryHarmPunitive', amountKrw: 200_000 },
      ],
      ruleVersion: 3,
    });
  });

  it('caps the statutory part only: proven secondary harm is claimed on top (domain.md §1)', () => {
    // statutory part 300,000 + 250,000 = 550,000 (under the cap) + loss 1,000,000 x 3 = 3,550,000
    const under = computeClaim(rules, { exposedData: ['entranceCode', 'orderHistory'], acceptedLossKrw: 1_000_000 });
    expect(under.amountKrw).toBe(3_550_000);
    expect(under.breakdown.some((l) => l.component === 'cap')).toBe(false);
    // A statutory part above the cap is cut to it, with a negative cap line before the loss lines.
    const big = computeClaim(
      { version: 1, baseAmountKrw: 2_800_000, additionsByCategoryKrw: { entranceCode: 500_000 } },
      { exposedData: ['entranceCode'], acceptedLossKrw: 5_000_000 },
    );
    expect(big).toEqual({
      amountKrw: 8_000_000,
      breakdown: [
        { component: 'base', amountKrw: 2_800_000 },
        { component: 'addition:entranceCode', amountKrw: 500_000 },
        { component: 'cap', amountKrw: -300_000 },
        { component: 'secondaryHarm', amountKrw: 5_000_000 },
      ],
      ruleVersion: 1,
    });
  });

  it('in actual mode a cap the case sets bounds the whole claim', () => {
    const result = computeClaim(
      { version: 2, mode: 'actual', baseAmountKrw: 300_000, capKrw: 1_000_000, secondaryHarmMultiplier: 2 },
      { exposedData: [], acceptedLossKrw: 500_000 },
    );
    expect(result.amountKrw).toBe(1_000_000);
    expect(result.breakdown.at(-1)).toEqual({ component: 'cap', amountKrw: -300_000 });
  });

  it('no cap line when the total equals the cap exactly', () => {
    const exact = computeClaim(
      { version: 1, baseAmountKrw: 1_000_000, secondaryHarmMultiplier: 2 },
      {
        exposedData: [],
        acceptedLossKrw: 1_000_000,
      },
    );
    expect(exact).toEqual({
      amountKrw: 3_000_000,
      breakdown: [
        { component: 'base', amountKrw: 1_000_000 },
        { component: 'secondaryHarm', amountKrw: 1_000_000 },
        { component: 'secondaryHarmPunitive', amountKrw: 1_000_000 },
      ],
      ruleVersion: 1,
    });
  });

  it('actual mode without a cap is not capped', () => {
    const actual: ClaimRules = { version: 9, mode: 'actual', baseAmountKrw: 0, secondaryHarmMultiplier: 5 };
    expect(computeClaim(actual, { exposedData: [], acceptedLossKrw: 10_000_000 }).amountKrw).toBe(50_000_000);
  });

  it('throws a RangeError when the punitive part would leave the exact integer range', () => {
    const actual: ClaimRules = { version: 9, mode: 'actual', baseAmountKrw: 0, secondaryHarmMultiplier: 5 };
    // loss x 4 = 36,028,797,018,963,964 > 2^53 - 1
    expect(() => computeClaim(actual, { exposedData: [], acceptedLossKrw: Number.MAX_SAFE_INTEGER })).toThrow(
      /secondary-harm punitive part is 36028797018963964 won, outside the exact integer range/,
    );
    // base + loss alone can pass 2^53 too
    expect(() =>
      computeClaim(
        { version: 1, mode: 'actual', baseAmountKrw: 1 },
        { exposedData: [], acceptedLossKrw: Number.MAX_SAFE_INTEGER },
      ),
    ).toThrow(/claim amount is 9007199254740992 won/);
  });

  it('throws a RangeError for invalid facts or rules', () => {
    expect(() => computeClaim(rules, { exposedData: [], acceptedLossKrw: -1 })).toThrow(RangeError);
    expect(() => computeClaim(rules, { exposedData: [], acceptedLossKrw: 0.5 })).toThrow(RangeError);
    expect(() => computeClaim({ ...rules, capKrw: 1 }, { exposedData: [], acceptedLossKrw: 0 })).toThrow(
      /capKrw: must be at least baseAmountKrw/,
    );
  });

  describe('properties', () => {
    const won = fc.integer({ min: 0, max: 3_000_000 });
    const validRules = fc
      .record({
        version: fc.integer({ min: 1, max: 1_000 }),
        mode: fc.constantFrom('statutory' as const, 'actual' as const),
        baseAmountKrw: won,
        additionsByCategoryKrw: fc.record(
          { name: won, phone: won, email: won, address: won, orderHistory: won, entranceCode: won },
          { requiredKeys: [] },
        ),
        secondaryHarmMultiplier: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const),
        capExtraKrw: fc.option(fc.integer({ min: 0, max: 20_000_000 }), { nil: undefined }),
      })
      .map(({ capExtraKrw, ...r }): ClaimRules => ({
        ...r,
        ...(capExtraKrw === undefined ? {} : { capKrw: r.baseAmountKrw + capExtraKrw }),
      }));
    // Largest loss for which even 5x plus base and all additions stays below 2^53.
    const maxLoss = Math.floor((Number.MAX_SAFE_INTEGER - 7 * 3_000_000) / 5);
    const facts = fc.record({
      exposedData: fc.array(fc.constantFrom(...DATA_CATEGORIES, 'bogus')),
      acceptedLossKrw: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: maxLoss }),
      ),
    });

    it("the amount is the exact sum of the breakdown and matches the mode's formula by oracle", () => {
      fc.assert(
        fc.property(validRules, facts, (r, f) => {
          const checked = validateClaimRules(r);
          expect(checked.ok).toBe(true);
          const cap = checked.ok ? checked.rules.capKrw : undefined;
          const result = computeClaim(r, f);

          const sum = result.breakdown.reduce((s, line) => s + BigInt(line.amountKrw), 0n);
          expect(BigInt(result.amountKrw)).toBe(sum);
          expect(Number.isSafeInteger(result.amountKrw)).toBe(true);
          expect(result.amountKrw).toBeGreaterThanOrEqual(0);

          expect(result.ruleVersion).toBe(r.version);
          expect(new Set(result.breakdown.map((l) => l.component)).size).toBe(result.breakdown.length);

          // Independent oracle: statutory mode caps base + additions, actual mode the whole claim.
          const exposed = new Set<string>(f.exposedData);
          let statutoryPart = BigInt(r.baseAmountKrw);
          for (const [category, amount] of Object.entries(r.additionsByCategoryKrw ?? {})) {
            if (exposed.has(category)) statutoryPart += BigInt(amount);
          }
          const loss = BigInt(f.acceptedLossKrw) * BigInt(r.secondaryHarmMultiplier ?? 1);
          const capOf = (x: bigint): bigint => (cap !== undefined && x > BigInt(cap) ? BigInt(cap) : x);
          const statutory = (r.mode ?? 'statutory') === 'statutory';
          const expected = statutory ? capOf(statutoryPart) + loss : capOf(statutoryPart + loss);
          expect(BigInt(result.amountKrw)).toBe(expected);
          if (cap !== undefined) {
            expect(result.amountKrw).toBeLessThanOrEqual(statutory ? cap + Number(loss) : cap);
          }
          // A cap line appears exactly when the cap bites, and it is negative.
          const capLine = result.breakdown.find((l) => l.component === 'cap');
          expect(capLine !== undefined).toBe(expected < statutoryPart + loss);
          if (capLine) expect(capLine.amountKrw).toBeLessThan(0);
        }),
        { numRuns: 2_000 },
      );
    });
  });
});
