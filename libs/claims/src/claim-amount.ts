import { type DataCategory } from './data-category';
import { resolveClaimRules, type ClaimRules } from './claim-rules';
import { assertNonNegativeSafeInteger, toSafeInteger } from './safe-integer';

/** What one claimant brings to the arithmetic: what of theirs leaked, and the loss their accepted evidence proves. */
export interface ClaimantFacts {
  /** Exposed data categories; unknown strings and repeats are ignored. */
  readonly exposedData: readonly string[];
  /** Actual secondary-harm loss proven by accepted evidence, integer won (0 when none). */
  readonly acceptedLossKrw: number;
}

/**
 * `base`: the case's base amount; `addition:<category>`: the addition for an exposed category;
 * `secondaryHarm`: the proven loss; `secondaryHarmPunitive`: loss x (multiplier - 1);
 * `cap`: a negative adjustment down to the per-claimant cap.
 */
export type ClaimComponent = 'base' | `addition:${DataCategory}` | 'secondaryHarm' | 'secondaryHarmPunitive' | 'cap';

export interface ClaimBreakdownLine {
  readonly component: ClaimComponent;
  readonly amountKrw: number;
}

export interface ClaimResult {
  /** Always the exact sum of `breakdown`, and never above the cap. */
  readonly amountKrw: number;
  readonly breakdown: readonly ClaimBreakdownLine[];
  readonly ruleVersion: number;
}

/**
 * One claimant's claim under one rule version:
 * `min(cap, base + additions for exposed categories + loss x multiplier)`.
 * Lines appear in a fixed order (base, additions in DATA_CATEGORIES order, secondary harm, cap);
 * additions and secondary-harm lines only when non-zero. Sums run in bigint; a line or total that
 * would not be an exact `number` throws a RangeError (as do invalid rules or facts: these come from
 * stored data, so they are a programming error, not user input).
 */
export function computeClaim(rules: ClaimRules, claimantFacts: ClaimantFacts): ClaimResult {
  const resolved = resolveClaimRules(rules);
  const { acceptedLossKrw, exposedData } = claimantFacts;
  assertNonNegativeSafeInteger(acceptedLossKrw, 'acceptedLossKrw');
  const exposed = new Set(exposedData);

  const breakdown: ClaimBreakdownLine[] = [{ component: 'base', amountKrw: resolved.baseAmountKrw }];
  for (const { category, amountKrw } of resolved.additions) {
    if (amountKrw > 0 && exposed.has(category)) breakdown.push({ component: `addition:${category}`, amountKrw });
  }
  if (acceptedLossKrw > 0) {
    breakdown.push({ component: 'secondaryHarm', amountKrw: acceptedLossKrw });
    if (resolved.secondaryHarmMultiplier > 1) {
      const punitive = BigInt(acceptedLossKrw) * BigInt(resolved.secondaryHarmMultiplier - 1);
      breakdown.push({
        component: 'secondaryHarmPunitive',
        amountKrw: toSafeInteger(punitive, 'secondary-harm punitive part'),
      });
    }
  }

  const subtotal = breakdown.reduce((sum, line) => sum + BigInt(line.amountKrw), 0n);
  if (resolved.capKrw !== null && subtotal > BigInt(resolved.capKrw)) {
    const adjustment = BigInt(resolved.capKrw) - subtotal;
    breakdown.push({ component: 'cap', amountKrw: toSafeInteger(adjustment, 'cap adjustment') });
    return { amountKrw: resolved.capKrw, breakdown, ruleVersion: resolved.version };
  }
  return { amountKrw: toSafeInteger(subtotal, 'claim amount'), breakdown, ruleVersion: resolved.version };
}
