import { claimRuleParameters } from '../claim-rule-parameters';
import {
  EXCLUDED_STATUSES,
  RECOMPUTE_STATEMENT,
  claimableSql,
  recomputeStatementParams,
  unclaimableSql,
} from './recompute-statement';

describe('the recompute statement', () => {
  it('binds the rule parameters in order, arrays aligned and integers only', () => {
    const p = claimRuleParameters({
      version: 4,
      baseAmountKrw: 300_000,
      additionsByCategoryKrw: { orderHistory: 20_000, entranceCode: 50_000 },
      secondaryHarmMultiplier: 3,
    });
    expect(recomputeStatementParams('firm', 'case', p)).toEqual([
      'firm',
      'case',
      4,
      300_000,
      ['name', 'phone', 'email', 'address', 'orderHistory', 'entranceCode'],
      [0, 0, 0, 0, 20_000, 50_000],
      3,
      3_000_000,
    ]);
    expect(
      recomputeStatementParams('f', 'c', claimRuleParameters({ version: 1, mode: 'actual', baseAmountKrw: 1 }))[7],
    ).toBeNull();
  });

  it('uses exactly the eight bind parameters and no literal money', () => {
    const used = new Set([...RECOMPUTE_STATEMENT.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(RECOMPUTE_STATEMENT).not.toMatch(/\b\d{3,}\b/);
    expect(RECOMPUTE_STATEMENT).toMatch(/unnest\(\$5::text\[\], \$6::bigint\[\]\) WITH ORDINALITY/);
  });

  it('leaves merged, withdrawn and rejected claimants out', () => {
    expect(EXCLUDED_STATUSES).toEqual(['withdrawn', 'rejected']);
    expect(claimableSql('c')).toBe(`(c.merged_into IS NULL AND c.status NOT IN ('withdrawn', 'rejected'))`);
    // Spelled exactly as the predicate of the partial index claimants_unclaimable_idx.
    expect(unclaimableSql('c')).toBe(`(c.merged_into IS NOT NULL OR c.status IN ('withdrawn', 'rejected'))`);
  });

  it('writes the narrow results table with plain INSERT and UPDATE, never ON CONFLICT', () => {
    expect(RECOMPUTE_STATEMENT).toMatch(/INSERT INTO claimant_claims/);
    expect(RECOMPUTE_STATEMENT).toMatch(/UPDATE claimant_claims/);
    expect(RECOMPUTE_STATEMENT).toMatch(/DELETE FROM claimant_claims/);
    expect(RECOMPUTE_STATEMENT).not.toMatch(/ON CONFLICT/);
    expect(RECOMPUTE_STATEMENT).not.toMatch(/UPDATE claimants/);
  });
});
