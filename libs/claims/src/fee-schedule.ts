import { type FieldError } from './field-error';
import { isNonNegativeSafeInteger } from './safe-integer';

/** 소액 (small claims), 단독 (single judge), 합의부 (panel). */
export type Division = 'small' | 'single' | 'panel';
export const DIVISIONS: readonly Division[] = ['small', 'single', 'panel'];

/** One stamp-duty bracket: from `fromKrw` (inclusive) up to the next bracket, V x numerator / denominator + addKrw. */
export interface StampDutyBracket {
  readonly fromKrw: number;
  readonly rateNumerator: number;
  readonly rateDenominator: number;
  readonly addKrw: number;
}

/**
 * Every constant of the court-fee arithmetic, as data with the date it takes effect, so a change of
 * the law is a new schedule, not a code change: a firm adds it in COURT_FEE_SCHEDULES_FILE (see
 * `loadFeeSchedules`), and the built-in {@link FEE_SCHEDULES} are the defaults.
 */
export interface FeeSchedule {
  /** `YYYY-MM-DD`: first day this schedule applies (filing date). */
  readonly effectiveFrom: string;
  /** Where the figures come from. */
  readonly source: string;
  /** Claim value (소가) ceilings: <= smallMaxKrw is small, <= singleMaxKrw is single, above is panel. */
  readonly division: { readonly smallMaxKrw: number; readonly singleMaxKrw: number };
  readonly stampDuty: {
    /** Ascending by `fromKrw`; the first starts at 0. */
    readonly brackets: readonly StampDutyBracket[];
    /** A computed paper duty under this becomes this (the floor). */
    readonly minimumKrw: number;
    /** Otherwise the part under this unit is dropped (rounded down). */
    readonly roundDownToKrw: number;
    /** Electronic filing pays numerator/denominator of the paper amount. */
    readonly eFilingNumerator: number;
    readonly eFilingDenominator: number;
    /** The floor for the e-filed amount (1,000: no duty is ever under 1,000 won; see stamp-duty.ts). */
    readonly eFilingMinimumKrw: number;
  };
  readonly serviceFee: {
    readonly unitPriceKrw: number;
    readonly servicesPerParty: Readonly<Record<Division, number>>;
  };
}

/**
 * The schedules, oldest first. The baseline is the product's default as of the 2025 suits
 * (domain.md section 4): Stamp Act for Civil Litigation art. 2 brackets and rounding, 9/10 for
 * electronic filing, service fee 5,200 won per service. `effectiveFrom` of the baseline is the date
 * from which the product vouches for these figures, not the date each rule was enacted; a date
 * before it has no schedule.
 */
export const FEE_SCHEDULES: readonly FeeSchedule[] = Object.freeze([
  Object.freeze<FeeSchedule>({
    effectiveFrom: '2025-01-01',
    source:
      'Stamp Act for Civil Litigation art. 2 (brackets, 1,000-won floor, 100-won rounding), 9/10 e-filing; ' +
      'service fee 5,200 won x 10 (small) / 15 (single, panel) per party',
    division: Object.freeze({ smallMaxKrw: 30_000_000, singleMaxKrw: 500_000_000 }),
    stampDuty: Object.freeze({
      brackets: Object.freeze([
        Object.freeze({ fromKrw: 0, rateNumerator: 50, rateDenominator: 10_000, addKrw: 0 }),
        Object.freeze({ fromKrw: 10_000_000, rateNumerator: 45, rateDenominator: 10_000, addKrw: 5_000 }),
        Object.freeze({ fromKrw: 100_000_000, rateNumerator: 40, rateDenominator: 10_000, addKrw: 55_000 }),
        Object.freeze({ fromKrw: 1_000_000_000, rateNumerator: 35, rateDenominator: 10_000, addKrw: 555_000 }),
      ]),
      minimumKrw: 1_000,
      roundDownToKrw: 100,
      eFilingNumerator: 9,
      eFilingDenominator: 10,
      eFilingMinimumKrw: 1_000,
    }),
    serviceFee: Object.freeze({
      unitPriceKrw: 5_200,
      servicesPerParty: Object.freeze({ small: 10, single: 15, panel: 15 }),
    }),
  }),
]);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The schedule in force on `date` (`YYYY-MM-DD`, e.g. the filing date): the latest whose
 * `effectiveFrom` is on or before it. Throws a RangeError for a malformed date or one before every
 * schedule (the caller chose the date; there is no sensible fee to guess).
 */
export function scheduleFor(date: string, schedules: readonly FeeSchedule[] = FEE_SCHEDULES): FeeSchedule {
  if (!isIsoDate(date)) throw new RangeError(`date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  let found: FeeSchedule | undefined;
  for (const schedule of schedules) {
    // ISO dates compare correctly as strings.
    if (schedule.effectiveFrom <= date && (!found || schedule.effectiveFrom >= found.effectiveFrom)) found = schedule;
  }
  if (!found) throw new RangeError(`no court-fee schedule is in force on ${date}`);
  return found;
}

/** The newest schedule in {@link FEE_SCHEDULES}; the default when a caller passes none. */
export const DEFAULT_FEE_SCHEDULE: FeeSchedule = FEE_SCHEDULES.reduce((latest, s) =>
  s.effectiveFrom > latest.effectiveFrom ? s : latest,
);

function positive(value: number): boolean {
  return isNonNegativeSafeInteger(value) && value > 0;
}

/**
 * Checks a schedule's data (for tests and for schedules loaded from configuration): every figure a
 * non-negative safe integer, divisors positive, brackets ascending from 0 and never making the duty
 * fall at a bracket edge (so stamp duty never decreases as the claim value grows).
 */
export function validateFeeSchedule(schedule: FeeSchedule): FieldError[] {
  const errors: FieldError[] = [];
  const { division, stampDuty, serviceFee } = schedule;
  if (!isIsoDate(schedule.effectiveFrom)) errors.push({ field: 'effectiveFrom', message: 'must be YYYY-MM-DD' });
  if (
    !positive(division.smallMaxKrw) ||
    !positive(division.singleMaxKrw) ||
    division.smallMaxKrw >= division.singleMaxKrw
  ) {
    errors.push({ field: 'division', message: 'ceilings must be positive integers with smallMaxKrw < singleMaxKrw' });
  }
  const { brackets } = stampDuty;
  if (brackets.length === 0 || brackets[0].fromKrw !== 0) {
    errors.push({ field: 'stampDuty.brackets', message: 'the first bracket must start at 0' });
  }
  brackets.forEach((b, i) => {
    const field = `stampDuty.brackets.${i}`;
    if (![b.fromKrw, b.rateNumerator, b.addKrw].every(isNonNegativeSafeInteger) || !positive(b.rateDenominator)) {
      errors.push({ field, message: 'figures must be non-negative integers with a positive denominator' });
      return;
    }
    // A duty is a fraction of the claim value: a rate above 1 is a typo (45/1 instead of 45/10,000).
    if (b.rateNumerator > b.rateDenominator) {
      errors.push({ field, message: 'the rate (numerator / denominator) must not exceed 1' });
      return;
    }
    const previous = i > 0 ? brackets[i - 1] : undefined;
    if (!previous) return;
    if (b.fromKrw <= previous.fromKrw) {
      errors.push({ field, message: 'brackets must be in ascending order of fromKrw' });
      return;
    }
    // Exact comparison of the two formulas at the edge, in bigint over a common denominator.
    const edge = BigInt(b.fromKrw);
    const before =
      (edge * BigInt(previous.rateNumerator) + BigInt(previous.addKrw) * BigInt(previous.rateDenominator)) *
      BigInt(b.rateDenominator);
    const after =
      (edge * BigInt(b.rateNumerator) + BigInt(b.addKrw) * BigInt(b.rateDenominator)) *
      BigInt(previous.rateDenominator);
    if (after < before) errors.push({ field, message: 'stamp duty would fall at this bracket edge' });
  });
  for (const field of ['minimumKrw', 'eFilingMinimumKrw'] as const) {
    if (!isNonNegativeSafeInteger(stampDuty[field])) {
      errors.push({ field: `stampDuty.${field}`, message: 'must be a non-negative integer' });
    }
  }
  if (stampDuty.eFilingMinimumKrw > stampDuty.minimumKrw) {
    errors.push({ field: 'stampDuty.eFilingMinimumKrw', message: 'must not exceed minimumKrw (e-filed <= paper)' });
  }
  if (!positive(stampDuty.roundDownToKrw)) {
    errors.push({ field: 'stampDuty.roundDownToKrw', message: 'must be a positive integer' });
  }
  if (
    !positive(stampDuty.eFilingNumerator) ||
    !positive(stampDuty.eFilingDenominator) ||
    stampDuty.eFilingNumerator > stampDuty.eFilingDenominator
  ) {
    errors.push({ field: 'stampDuty.eFiling', message: 'the e-filing fraction must be in (0, 1]' });
  }
  if (!positive(serviceFee.unitPriceKrw)) {
    errors.push({ field: 'serviceFee.unitPriceKrw', message: 'must be a positive integer' });
  }
  for (const division of DIVISIONS) {
    if (!positive(serviceFee.servicesPerParty[division])) {
      errors.push({ field: `serviceFee.servicesPerParty.${division}`, message: 'must be a positive integer' });
    }
  }
  return errors;
}
