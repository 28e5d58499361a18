import { DEFAULT_FEE_SCHEDULE, type Division, type FeeSchedule } from './fee-schedule';
import { assertNonNegativeSafeInteger, toSafeInteger } from './safe-integer';

/**
 * How parties are counted for the service-fee deposit: every plaintiff and defendant (default), or,
 * when one firm represents every plaintiff and the court accepts it, counsel (as one party) plus defendants.
 */
export type ServiceCountMode = 'all-parties' | 'counsel-and-defendants';
export const SERVICE_COUNT_MODES: readonly ServiceCountMode[] = ['all-parties', 'counsel-and-defendants'];
export const DEFAULT_SERVICE_COUNT_MODE: ServiceCountMode = 'all-parties';

/** Parties counted for service (bigint: plaintiffs + defendants can pass the safe range). */
export function serviceParties(plaintiffs: number, defendants: number, mode: ServiceCountMode): bigint {
  assertNonNegativeSafeInteger(plaintiffs, 'plaintiffs');
  assertNonNegativeSafeInteger(defendants, 'defendants');
  return (mode === 'counsel-and-defendants' ? 1n : BigInt(plaintiffs)) + BigInt(defendants);
}

/** Exact service-fee deposit in bigint: parties x services per party (by division) x unit price. */
export function serviceFeeKrwExact(
  input: { plaintiffs: number; defendants: number; division: Division; serviceCount?: ServiceCountMode },
  schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE,
): bigint {
  const parties = serviceParties(input.plaintiffs, input.defendants, input.serviceCount ?? DEFAULT_SERVICE_COUNT_MODE);
  const { servicesPerParty, unitPriceKrw } = schedule.serviceFee;
  return parties * BigInt(servicesPerParty[input.division]) * BigInt(unitPriceKrw);
}

/**
 * 송달료 deposit, integer won. Throws a RangeError when the product leaves the safe integer range
 * (over ~1.15e11 plaintiffs at 15 x 5,200 won; 33.7 million plaintiffs give 2.6e12 won, far inside).
 */
export function serviceFeeKrw(
  input: { plaintiffs: number; defendants: number; division: Division; serviceCount?: ServiceCountMode },
  schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE,
): number {
  return toSafeInteger(serviceFeeKrwExact(input, schedule), 'service fee deposit');
}
