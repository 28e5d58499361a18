import { DEFAULT_FEE_SCHEDULE, type Division, type FeeSchedule } from './fee-schedule';
import { assertNonNegativeSafeInteger } from './safe-integer';

/** The court division for a claim value (소가): small <= 30,000,000 < single <= 500,000,000 < panel. */
export function divisionFor(claimValueKrw: number, schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE): Division {
  assertNonNegativeSafeInteger(claimValueKrw, 'claimValueKrw');
  if (claimValueKrw <= schedule.division.smallMaxKrw) return 'small';
  if (claimValueKrw <= schedule.division.singleMaxKrw) return 'single';
  return 'panel';
}
