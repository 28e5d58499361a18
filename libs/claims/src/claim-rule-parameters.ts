import { DATA_CATEGORIES, type DataCategory } from './data-category';
import { resolveClaimRules, type ClaimMode, type ClaimRules } from './claim-rules';

/**
 * A rule version as flat SQL parameters, for a set-based recompute ("one statement per rule version").
 * `categories` and `additionsKrw` are aligned arrays over every category in DATA_CATEGORIES order
 * (0 where the rules give no addition), ready for `unnest($cats::text[], $adds::bigint[])`. The SQL
 * that matches {@link computeClaim} is, by mode (cap NULL: no LEAST):
 *
 *   statutory: LEAST(cap, base + SUM(additions of exposed categories)) + loss * multiplier
 *   actual:    LEAST(cap, base + SUM(additions of exposed categories) + loss * multiplier)
 */
export interface ClaimRuleParameters {
  readonly ruleVersion: number;
  readonly mode: ClaimMode;
  readonly baseAmountKrw: number;
  readonly categories: readonly DataCategory[];
  readonly additionsKrw: readonly number[];
  readonly secondaryHarmMultiplier: number;
  /** `null` when uncapped. */
  readonly capKrw: number | null;
}

/** Throws a RangeError on invalid rules, like {@link resolveClaimRules}. */
export function claimRuleParameters(rules: ClaimRules): ClaimRuleParameters {
  const resolved = resolveClaimRules(rules);
  const byCategory = new Map(resolved.additions.map((a) => [a.category, a.amountKrw]));
  return {
    ruleVersion: resolved.version,
    mode: resolved.mode,
    baseAmountKrw: resolved.baseAmountKrw,
    categories: [...DATA_CATEGORIES],
    additionsKrw: DATA_CATEGORIES.map((category) => byCategory.get(category) ?? 0),
    secondaryHarmMultiplier: resolved.secondaryHarmMultiplier,
    capKrw: resolved.capKrw,
  };
}
