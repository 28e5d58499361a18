/**
 * The categories of personal data taken in the breach (domain.md section 1), as stored per claimant.
 * The order is fixed: breakdown lines and SQL parameter arrays follow it, so results are deterministic.
 */
export const DATA_CATEGORIES = ['name', 'phone', 'email', 'address', 'orderHistory', 'entranceCode'] as const;

export type DataCategory = (typeof DATA_CATEGORIES)[number];

export function isDataCategory(value: unknown): value is DataCategory {
  return typeof value === 'string' && (DATA_CATEGORIES as readonly string[]).includes(value);
}
