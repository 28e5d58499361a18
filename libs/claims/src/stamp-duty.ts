import { DEFAULT_FEE_SCHEDULE, type FeeSchedule, type StampDutyBracket } from './fee-schedule';
import { assertNonNegativeSafeInteger, toSafeInteger } from './safe-integer';

/**
 * Stamp duty (인지대) on a claim value V, Stamp Act for Civil Litigation art. 2, all exact integer
 * arithmetic. V x 45 overflows a double's exact range for V above ~2e14, so every product runs in
 * bigint and only the final duty (at most max(1,000, V / 200) won) comes back as a number, checked.
 *
 * Rounding: a duty under the minimum (1,000 won) becomes the minimum; otherwise the part under
 * 100 won is dropped. E-filing pays 9/10 of the paper duty, rounded by the same rule.
 *
 * Decision on the floor for e-filing (schedule field `eFilingMinimumKrw`, 1,000 won): the floor
 * applies to the e-filed amount too, so no
 * stamp duty is ever under 1,000 won. This follows the Act's own floor rule being applied to
 * each amount that is paid, keeps every result a multiple of 100 from 1,000 up, and keeps e-filed <=
 * paper. It only matters for paper duties of 1,000 and 1,100 won (claim values under 240,000 won),
 * where 900 / 990 become 1,000; the worked examples of domain.md are unaffected.
 */

/** Applies a floor and the rounding to an exact rational duty numerator / denominator. */
function roundDuty(numerator: bigint, denominator: bigint, minimumKrw: number, roundDownToKrw: number): bigint {
  if (numerator < BigInt(minimumKrw) * denominator) return BigInt(minimumKrw);
  const unit = BigInt(roundDownToKrw);
  return (numerator / (denominator * unit)) * unit; // bigint division truncates; both are positive
}

function bracketFor(claimValueKrw: number, schedule: FeeSchedule): StampDutyBracket {
  const { brackets } = schedule.stampDuty;
  let chosen = brackets[0];
  for (const bracket of brackets) if (bracket.fromKrw <= claimValueKrw) chosen = bracket;
  return chosen;
}

/** Stamp duty for a paper filing, integer won. Throws a RangeError for a value that is not a non-negative safe integer. */
export function paperStampDutyKrw(claimValueKrw: number, schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE): number {
  assertNonNegativeSafeInteger(claimValueKrw, 'claimValueKrw');
  const { rateNumerator, rateDenominator, addKrw } = bracketFor(claimValueKrw, schedule);
  const denominator = BigInt(rateDenominator);
  // duty = V x rate / denominator + add = (V x rate + add x denominator) / denominator, exactly.
  const numerator = BigInt(claimValueKrw) * BigInt(rateNumerator) + BigInt(addKrw) * denominator;
  const { minimumKrw, roundDownToKrw } = schedule.stampDuty;
  return toSafeInteger(roundDuty(numerator, denominator, minimumKrw, roundDownToKrw), 'stamp duty');
}

/** Stamp duty actually paid: the paper duty, or 9/10 of it (rounded again, floored at 1,000) when e-filed. */
export function stampDutyKrw(
  claimValueKrw: number,
  eFiling: boolean,
  schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE,
): number {
  const paper = paperStampDutyKrw(claimValueKrw, schedule);
  if (!eFiling) return paper;
  const { eFilingNumerator, eFilingDenominator, eFilingMinimumKrw, roundDownToKrw } = schedule.stampDuty;
  const numerator = BigInt(paper) * BigInt(eFilingNumerator);
  const eFiled = roundDuty(numerator, BigInt(eFilingDenominator), eFilingMinimumKrw, roundDownToKrw);
  return toSafeInteger(eFiled, 'e-filed stamp duty');
}
