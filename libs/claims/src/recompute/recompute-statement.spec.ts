import { claimRuleParameters } from '../claim-rule-parameters';
import { claimResultJoinSql, generationTable } from './claim-generations';
import {
  EXCLUDED_STATUSES,
  RECOMPUTE_RESULTS_SQL,
  claimableSql,
  recomputeStatementParams,
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
    const used = new Set([...RECOMPUTE_RESULTS_SQL.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(RECOMPUTE_RESULTS_SQL).not.toMatch(/\b\d{3,}\b/);
    expect(RECOMPUTE_RESULTS_SQL).toMatch(/unnest\(\$5::text\[\], \$6::bigint\[\]\) WITH ORDINALITY/);
  });

  it('leaves merged, withdrawn and rejected claimants out', () => {
    expect(EXCLUDED_STATUSES).toEqual(['withdrawn', 'rejected']);
    expect(claimableSql('c')).toBe(`(c.merged_into IS NULL AND c.status NOT IN ('withdrawn', 'rejected'))`);
  });

  it('is a plain SELECT of one result per claimable claimant: the fill of a new generation', () => {
    expect(RECOMPUTE_RESULTS_SQL.trim()).toMatch(/^SELECT x\.id AS claimant_id,/);
    expect(RECOMPUTE_RESULTS_SQL).not.toMatch(/\b(INSERT|UPDATE|DELETE)\b/);
    expect(RECOMPUTE_RESULTS_SQL).toContain(claimableSql('cl'));
  });

  it('names generation tables with digits only and joins results through the current generation', () => {
    expect(generationTable('42')).toBe('claimant_claims_g42');
    expect(() => generationTable('42; DROP TABLE claimants')).toThrow();
    expect(() => generationTable('')).toThrow();
    const join = claimResultJoinSql('c', 'k');
    expect(join).toMatch(/LEFT JOIN claim_generations k_gen ON k_gen\.case_id = c\.case_id/);
    expect(join).toMatch(/LEFT JOIN claimant_claims k ON k\.generation = k_gen\.generation AND k\.claimant_id = c\.id/);
    expect(claimResultJoinSql('c', 'k', 'INNER')).not.toMatch(/LEFT/);
  });
});
