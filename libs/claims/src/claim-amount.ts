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
  /** Always the exact sum of `breakdown` (the cap bounds the statutory part, or in actual mode the whole). */
  readonly amountKrw: number;
  readonly breakdown: readonly ClaimBreakdownLine[];
  readonly ruleVersion: number;
}

/**
 * One claimant's claim under one rule version. In `statutory` mode the cap is PIPA art. 39-2's
 * (3,000,000 won by default) and bounds the statutory part only; secondary harm proven by accepted
 * evidence is claimed on top (domain.md §1):
 * `min(cap, base + additions for exposed categories) + loss x multiplier`.
 * In `actual` mode a cap the case sets bounds the whole claim:
 * `min(cap, base + additions + loss x multiplier)`.
 * Lines appear in a fixed order: base, additions in DATA_CATEGORIES order, then in statutory mode
 * the cap line and the secondary-harm lines, in actual mode the secondary-harm lines and the cap
 * line; additions, secondary-harm and cap lines only when non-zero. Sums run in bigint; a line or
 * total that would not be an exact `number` throws a RangeError (as do invalid rules or facts:
 * these come from stored data, so they are a programming error, not user input).
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
  const sum = (): bigint => breakdown.reduce((total, line) => total + BigInt(line.amountKrw), 0n);
  const capDown = (): void => {
    const subtotal = sum();
    if (resolved.capKrw === null || subtotal <= BigInt(resolved.capKrw)) return;
    const adjustment = BigInt(resolved.capKrw) - subtotal;
    breakdown.push({ component: 'cap', amountKrw: toSafeInteger(adjustment, 'cap adjustment') });
  };
  if (resolved.mode === 'statutory') capDown();
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
  if (resolved.mode === 'actual') capDown();
  return { amountKrw: toSafeInteger(sum(), 'claim amount'), breakdown, ruleVersion: resolved.version };
}
