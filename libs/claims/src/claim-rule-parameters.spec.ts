import fc from 'fast-check';
import { computeClaim } from './claim-amount';
import { claimRuleParameters, type ClaimRuleParameters } from './claim-rule-parameters';
import { type ClaimRules } from './claim-rules';
import { DATA_CATEGORIES } from './data-category';

/** The SQL expression the parameters are meant for, evaluated in bigint as Postgres would. */
function sqlAmount(p: ClaimRuleParameters, exposed: readonly string[], lossKrw: number): bigint {
  let statutoryPart = BigInt(p.baseAmountKrw);
  p.categories.forEach((category, i) => {
    if (exposed.includes(category)) statutoryPart += BigInt(p.additionsKrw[i]);
  });
  const loss = BigInt(lossKrw) * BigInt(p.secondaryHarmMultiplier);
  const least = (x: bigint): bigint => (p.capKrw === null || x <= BigInt(p.capKrw) ? x : BigInt(p.capKrw));
  return p.mode === 'statutory' ? least(statutoryPart) + loss : least(statutoryPart + loss);
}

describe('claimRuleParameters', () => {
  it('flattens a rule version into aligned arrays with defaults applied', () => {
    expect(
      claimRuleParameters({ version: 5, baseAmountKrw: 300_000, additionsByCategoryKrw: { entranceCode: 100_000 } }),
    ).toEqual({
      ruleVersion: 5,
      mode: 'statutory',
      baseAmountKrw: 300_000,
      categories: ['name', 'phone', 'email', 'address', 'orderHistory', 'entranceCode'],
      additionsKrw: [0, 0, 0, 0, 0, 100_000],
      secondaryHarmMultiplier: 1,
      capKrw: 3_000_000,
    });
    expect(claimRuleParameters({ version: 1, mode: 'actual', baseAmountKrw: 0 }).capKrw).toBeNull();
  });

  it('property: the SQL formula over the parameters gives the same amount as computeClaim', () => {
    const won = fc.integer({ min: 0, max: 1_000_000 });
    fc.assert(
      fc.property(
        fc.record({
          version: fc.integer({ min: 1, max: 50 }),
          mode: fc.constantFrom('statutory' as const, 'actual' as const),
          baseAmountKrw: won,
          additionsByCategoryKrw: fc.record(
            { name: won, phone: won, email: won, address: won, orderHistory: won, entranceCode: won },
            { requiredKeys: [] },
          ),
          secondaryHarmMultiplier: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const),
        }),
        fc.subarray([...DATA_CATEGORIES]),
        fc.integer({ min: 0, max: 10_000_000 }),
        (rules: ClaimRules, exposed, loss) => {
          const expected = computeClaim(rules, { exposedData: exposed, acceptedLossKrw: loss }).amountKrw;
          expect(sqlAmount(claimRuleParameters(rules), exposed, loss)).toBe(BigInt(expected));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
