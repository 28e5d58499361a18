import { divisionFor } from './division';
import { DEFAULT_FEE_SCHEDULE, type Division, type FeeSchedule } from './fee-schedule';
import { isRecord, unknownFieldErrors, type FieldError } from './field-error';
import { isNonNegativeSafeInteger } from './safe-integer';
import {
  DEFAULT_SERVICE_COUNT_MODE,
  SERVICE_COUNT_MODES,
  serviceFeeKrw,
  serviceFeeKrwExact,
  type ServiceCountMode,
} from './service-fee';
import { stampDutyKrw } from './stamp-duty';

/** The inputs of `GET /court-fees` (api.md "Claims and fees"); all money integer won. */
export interface CourtFeeInput {
  /** 소가: the sum of every plaintiff's claim in the filing. */
  readonly claimValueKrw: number;
  readonly plaintiffs: number;
  readonly defendants: number;
  readonly eFiling: boolean;
  /** Default `all-parties`. */
  readonly serviceCount?: ServiceCountMode;
}

export interface CourtFees {
  readonly claimValueKrw: number;
  readonly division: Division;
  readonly stampDutyKrw: number;
  readonly serviceFeeKrw: number;
}

export type CourtFeeInputValidation =
  | { readonly ok: true; readonly input: CourtFeeInput & { readonly serviceCount: ServiceCountMode } }
  | { readonly ok: false; readonly errors: FieldError[] };

const INPUT_FIELDS = ['claimValueKrw', 'plaintiffs', 'defendants', 'eFiling', 'serviceCount'] as const;

function isServiceCountMode(value: unknown): value is ServiceCountMode {
  return typeof value === 'string' && (SERVICE_COUNT_MODES as readonly string[]).includes(value);
}

/**
 * Validates untrusted court-fee input. Never throws: returns `{ field, message }` for every problem,
 * including a party count so large that the service-fee deposit would leave the exact integer range.
 */
export function validateCourtFeeInput(
  input: unknown,
  schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE,
): CourtFeeInputValidation {
  if (!isRecord(input)) return { ok: false, errors: [{ field: 'input', message: 'must be an object' }] };
  const errors: FieldError[] = unknownFieldErrors(input, INPUT_FIELDS);
  const { claimValueKrw, plaintiffs, defendants, eFiling, serviceCount } = input;
  if (!isNonNegativeSafeInteger(claimValueKrw)) {
    errors.push({ field: 'claimValueKrw', message: 'must be a non-negative safe integer (won)' });
  }
  if (!isNonNegativeSafeInteger(plaintiffs) || plaintiffs < 1) {
    errors.push({ field: 'plaintiffs', message: 'must be a safe integer of at least 1' });
  }
  if (!isNonNegativeSafeInteger(defendants) || defendants < 1) {
    errors.push({ field: 'defendants', message: 'must be a safe integer of at least 1' });
  }
  if (typeof eFiling !== 'boolean') errors.push({ field: 'eFiling', message: 'must be true or false' });
  if (serviceCount !== undefined && !isServiceCountMode(serviceCount)) {
    errors.push({ field: 'serviceCount', message: `must be one of ${SERVICE_COUNT_MODES.join(', ')}` });
  }
  if (
    errors.length > 0 ||
    !isNonNegativeSafeInteger(claimValueKrw) ||
    !isNonNegativeSafeInteger(plaintiffs) ||
    !isNonNegativeSafeInteger(defendants) ||
    typeof eFiling !== 'boolean'
  ) {
    return { ok: false, errors };
  }
  const mode = isServiceCountMode(serviceCount) ? serviceCount : DEFAULT_SERVICE_COUNT_MODE;
  // Overflow guard for user input: the deposit is computed in bigint and must fit a safe integer.
  const division = divisionFor(claimValueKrw, schedule);
  const fee = serviceFeeKrwExact({ plaintiffs, defendants, division, serviceCount: mode }, schedule);
  if (fee > BigInt(Number.MAX_SAFE_INTEGER)) {
    return {
      ok: false,
      errors: [
        {
          field: mode === 'all-parties' ? 'plaintiffs' : 'defendants',
          message: `too many parties: the service fee deposit would exceed ${Number.MAX_SAFE_INTEGER} won`,
        },
      ],
    };
  }
  return { ok: true, input: { claimValueKrw, plaintiffs, defendants, eFiling, serviceCount: mode } };
}

/**
 * Division, stamp duty and service-fee deposit for one filing, under `schedule` (pass
 * `scheduleFor(filingDate)`; default: the newest schedule). Input must be valid (see
 * {@link validateCourtFeeInput}); invalid input is a programming error and throws a RangeError.
 */
export function computeCourtFees(input: CourtFeeInput, schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE): CourtFees {
  const checked = validateCourtFeeInput(input, schedule);
  if (!checked.ok) {
    throw new RangeError(
      `invalid court-fee input: ${checked.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    );
  }
  const { claimValueKrw, plaintiffs, defendants, eFiling, serviceCount } = checked.input;
  const division = divisionFor(claimValueKrw, schedule);
  return {
    claimValueKrw,
    division,
    stampDutyKrw: stampDutyKrw(claimValueKrw, eFiling, schedule),
    serviceFeeKrw: serviceFeeKrw({ plaintiffs, defendants, division, serviceCount }, schedule),
  };
}
