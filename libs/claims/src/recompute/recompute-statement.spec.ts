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
      true,
    ]);
    expect(
      recomputeStatementParams('f', 'c', claimRuleParameters({ version: 1, mode: 'actual', baseAmountKrw: 1 })).slice(
        7,
      ),
    ).toEqual([null, false]);
  });

  it('uses exactly the nine bind parameters and no literal money', () => {
    const used = new Set([...RECOMPUTE_RESULTS_SQL.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
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

  it('names generation tables with digits only and joins a generation by its table', () => {
    expect(generationTable('42')).toBe('claimant_claims_g42');
    expect(() => generationTable('42; DROP TABLE claimants')).toThrow();
    expect(() => generationTable('')).toThrow();
    const g = { generation: '42', table: 'claimant_claims_g42', ruleVersion: 3 };
    expect(claimResultJoinSql(g, 'c', 'k')).toBe('LEFT JOIN claimant_claims_g42 k ON k.claimant_id = c.id');
    expect(claimResultJoinSql(g, 'c', 'k', 'INNER')).toBe('JOIN claimant_claims_g42 k ON k.claimant_id = c.id');
    // Before a case's first recompute: NULL results (LEFT) or none (INNER), same columns.
    expect(claimResultJoinSql(null, 'c', 'k')).toMatch(
      /^LEFT JOIN \(SELECT NULL::uuid AS claimant_id, NULL::bigint AS amount_krw, NULL::jsonb AS breakdown\) k ON false$/,
    );
    expect(claimResultJoinSql(null, 'c', 'k', 'INNER')).toMatch(/^JOIN \(SELECT .*\) k ON false$/);
    expect(() => claimResultJoinSql({ ...g, generation: '4 2' }, 'c', 'k')).toThrow();
  });
});
