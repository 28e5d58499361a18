import { DATA_CATEGORIES, isDataCategory, type DataCategory } from './data-category';
import { isRecord, unknownFieldErrors, type FieldError } from './field-error';
import { isNonNegativeSafeInteger } from './safe-integer';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `statutory`: PIPA art. 39-2 statutory damages, capped per claimant (default 3,000,000 won).
 * `actual`: PIPA art. 39 proven damages; no cap unless the case sets one.
 */
export type ClaimMode = 'statutory' | 'actual';
export const CLAIM_MODES: readonly ClaimMode[] = ['statutory', 'actual'];
export const DEFAULT_CLAIM_MODE: ClaimMode = 'statutory';

/** PIPA art. 39-2: statutory damages up to 3,000,000 won per person; the default cap in statutory mode. */
export const STATUTORY_DAMAGES_CAP_KRW = 3_000_000;

/** PIPA art. 39: punitive damages up to 5x the actual damage. The multiplier is an integer 1..5. */
export type SecondaryHarmMultiplier = 1 | 2 | 3 | 4 | 5;
export const MAX_SECONDARY_HARM_MULTIPLIER = 5;

/**
 * What one claimant's claim is worth, versioned per case. All money is integer won.
 * A stored rule set is immutable: a change makes a new `version`, and every result names its version.
 */
export interface ClaimRules {
  /** Positive integer; results carry it as `ruleVersion`. */
  readonly version: number;
  /** Default `statutory`. */
  readonly mode?: ClaimMode;
  /** What every claimant claims. */
  readonly baseAmountKrw: number;
  /** Added when the claimant's exposed data includes the category (e.g. `entranceCode`). */
  readonly additionsByCategoryKrw?: Readonly<Partial<Record<DataCategory, number>>>;
  /** Applied to the accepted secondary-harm loss; default 1 (the loss itself, no punitive part). */
  readonly secondaryHarmMultiplier?: SecondaryHarmMultiplier;
  /** Per-claimant ceiling; default {@link STATUTORY_DAMAGES_CAP_KRW} in statutory mode, none in actual mode. */
  readonly capKrw?: number;
}

/** Rules with every default applied and additions in {@link DATA_CATEGORIES} order. */
export interface ResolvedClaimRules {
  readonly version: number;
  readonly mode: ClaimMode;
  readonly baseAmountKrw: number;
  /** Only the categories that have an addition configured (zero included), in {@link DATA_CATEGORIES} order. */
  readonly additions: readonly { readonly category: DataCategory; readonly amountKrw: number }[];
  readonly secondaryHarmMultiplier: SecondaryHarmMultiplier;
  /** `null`: no cap (only possible in actual mode). */
  readonly capKrw: number | null;
}

export type ClaimRulesValidation =
  { readonly ok: true; readonly rules: ClaimRules } | { readonly ok: false; readonly errors: FieldError[] };

const RULE_FIELDS = [
  'version',
  'mode',
  'baseAmountKrw',
  'additionsByCategoryKrw',
  'secondaryHarmMultiplier',
  'capKrw',
] as const;

function isMultiplier(value: unknown): value is SecondaryHarmMultiplier {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_SECONDARY_HARM_MULTIPLIER;
}

function isClaimMode(value: unknown): value is ClaimMode {
  return typeof value === 'string' && (CLAIM_MODES as readonly string[]).includes(value);
}

const WON = 'must be a non-negative safe integer (won)';

/**
 * Validates untrusted claim rules (e.g. a case's settings from an HTTP body). Never throws: every
 * problem is returned as `{ field, message }`. On success, `rules` is a copy with the defaults made
 * explicit (`mode`, `secondaryHarmMultiplier`, and `capKrw` in statutory mode), so a stored version
 * records exactly what was applied.
 */
export function validateClaimRules(input: unknown): ClaimRulesValidation {
  if (!isRecord(input)) return { ok: false, errors: [{ field: 'rules', message: 'claim rules must be an object' }] };
  const errors: FieldError[] = unknownFieldErrors(input, RULE_FIELDS);
  const { version, mode, baseAmountKrw, additionsByCategoryKrw, secondaryHarmMultiplier, capKrw } = input;

  if (!isNonNegativeSafeInteger(version) || version < 1) {
    errors.push({ field: 'version', message: 'must be a positive integer' });
  }
  if (mode !== undefined && !isClaimMode(mode)) {
    errors.push({ field: 'mode', message: `must be one of ${CLAIM_MODES.join(', ')}` });
  }
  const effectiveMode = isClaimMode(mode) ? mode : DEFAULT_CLAIM_MODE;
  if (!isNonNegativeSafeInteger(baseAmountKrw)) errors.push({ field: 'baseAmountKrw', message: WON });

  const additions: Partial<Record<DataCategory, number>> = {};
  let additionsTotal = 0n;
  if (additionsByCategoryKrw !== undefined && !isRecord(additionsByCategoryKrw)) {
    errors.push({ field: 'additionsByCategoryKrw', message: 'must be an object of category -> won' });
  } else if (additionsByCategoryKrw !== undefined) {
    for (const [category, amount] of Object.entries(additionsByCategoryKrw)) {
      const field = `additionsByCategoryKrw.${category}`;
      if (!isDataCategory(category)) {
        errors.push({ field, message: `unknown data category; expected one of ${DATA_CATEGORIES.join(', ')}` });
      } else if (!isNonNegativeSafeInteger(amount)) {
        errors.push({ field, message: WON });
      } else {
        additions[category] = amount;
        additionsTotal += BigInt(amount);
      }
    }
  }
  // Overflow guard: base plus every addition must itself stay an exact integer (bigint sum).
  if (isNonNegativeSafeInteger(baseAmountKrw) && BigInt(baseAmountKrw) + additionsTotal > MAX_SAFE) {
    errors.push({
      field: 'additionsByCategoryKrw',
      message: `base plus all additions exceeds ${Number.MAX_SAFE_INTEGER} won`,
    });
  }

  if (secondaryHarmMultiplier !== undefined && !isMultiplier(secondaryHarmMultiplier)) {
    errors.push({
      field: 'secondaryHarmMultiplier',
      message: `must be an integer from 1 to ${MAX_SECONDARY_HARM_MULTIPLIER} (PIPA art. 39)`,
    });
  }

  let cap: number | undefined;
  if (capKrw !== undefined && !isNonNegativeSafeInteger(capKrw)) {
    errors.push({ field: 'capKrw', message: WON });
  } else {
    cap = capKrw ?? (effectiveMode === 'statutory' ? STATUTORY_DAMAGES_CAP_KRW : undefined);
    if (cap !== undefined && isNonNegativeSafeInteger(baseAmountKrw) && cap < baseAmountKrw) {
      errors.push(
        capKrw === undefined
          ? { field: 'baseAmountKrw', message: `exceeds the default statutory cap of ${cap} won; set capKrw` }
          : { field: 'capKrw', message: 'must be at least baseAmountKrw' },
      );
    }
  }

  if (errors.length > 0 || !isNonNegativeSafeInteger(version) || !isNonNegativeSafeInteger(baseAmountKrw)) {
    return { ok: false, errors };
  }
  const rules: ClaimRules = {
    version,
    mode: effectiveMode,
    baseAmountKrw,
    ...(additionsByCategoryKrw === undefined ? {} : { additionsByCategoryKrw: additions }),
    secondaryHarmMultiplier: isMultiplier(secondaryHarmMultiplier) ? secondaryHarmMultiplier : 1,
    ...(cap === undefined ? {} : { capKrw: cap }),
  };
  return { ok: true, rules };
}

/**
 * Applies the defaults to rules that must already be valid (e.g. loaded from the database).
 * Invalid rules are a programming error here: throws a RangeError listing every problem.
 */
export function resolveClaimRules(rules: ClaimRules): ResolvedClaimRules {
  const result = validateClaimRules(rules);
  if (!result.ok) {
    const problems = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new RangeError(`invalid claim rules (version ${String(rules.version)}): ${problems}`);
  }
  const valid = result.rules;
  const configured = valid.additionsByCategoryKrw ?? {};
  return {
    version: valid.version,
    mode: valid.mode ?? DEFAULT_CLAIM_MODE,
    baseAmountKrw: valid.baseAmountKrw,
    additions: DATA_CATEGORIES.flatMap((category) => {
      const amountKrw = configured[category];
      return amountKrw === undefined ? [] : [{ category, amountKrw }];
    }),
    secondaryHarmMultiplier: valid.secondaryHarmMultiplier ?? 1,
    capKrw: valid.capKrw ?? null,
  };
}
