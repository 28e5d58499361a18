/**
 * Integer-won guards. Money in this library is a JavaScript `number` only while it is provably a
 * non-negative safe integer (<= Number.MAX_SAFE_INTEGER = 9,007,199,254,740,991); every product or
 * sum that could leave that range is computed in `bigint` and converted back through
 * {@link toSafeInteger}, which throws a RangeError instead of silently losing precision.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** True for integers in 0..Number.MAX_SAFE_INTEGER (no NaN, no Infinity, no fractions). */
export function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Throws a RangeError naming `what` unless `value` is a non-negative safe integer. */
export function assertNonNegativeSafeInteger(value: number, what: string): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${what} must be a non-negative safe integer (0..${Number.MAX_SAFE_INTEGER}), got ${value}`);
  }
}

/** Converts a bigint back to a number, throwing a RangeError naming `what` if it is not a safe integer. */
export function toSafeInteger(value: bigint, what: string): number {
  if (value > MAX_SAFE || value < MIN_SAFE) {
    throw new RangeError(
      `${what} is ${value.toString()} won, outside the exact integer range of a number (|x| <= ${Number.MAX_SAFE_INTEGER})`,
    );
  }
  return Number(value);
}
