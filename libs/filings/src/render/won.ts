/** Formatting of integer won amounts and court dates. No floating point touches money here. */

function assertAmount(value: number | bigint, what: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new RangeError(`${what} must not be negative, got ${value}`);
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${String(value)}`);
  }
  return BigInt(value);
}

/** "2452600" -> "2,452,600" (digits grouped by three; integer won, never negative). */
export function formatAmount(value: number | bigint, what = 'amount'): string {
  const digits = assertAmount(value, what).toString();
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return out;
}

/** 2452600 -> "2,452,600원". */
export function formatWon(value: number | bigint, what = 'amount'): string {
  return `${formatAmount(value, what)}원`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-11-21" -> "2026. 11. 21." (Korean court style). Throws a RangeError for an invalid date. */
export function formatCourtDate(isoDate: string, what = 'date'): string {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new RangeError(`${what} must be an ISO date YYYY-MM-DD, got "${isoDate}"`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new RangeError(`${what} is not a calendar date: "${isoDate}"`);
  }
  return `${year}. ${month}. ${day}.`;
}
