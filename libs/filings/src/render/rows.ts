import { cleanText } from './pdf-layout';
import type { PlaintiffRow } from './types';

/** A plaintiff row checked and cleaned for rendering. */
export interface CleanPlaintiffRow {
  number: number;
  name: string;
  postalCode: string;
  address1: string;
  address2: string;
  amountKrw: number;
}

/** Checks a row (positive number, a name, integer won) and cleans its text (NFC, no control characters). */
export function cleanPlaintiffRow(row: PlaintiffRow): CleanPlaintiffRow {
  if (!Number.isSafeInteger(row.number) || row.number < 1) {
    throw new RangeError(`plaintiff number must be a positive integer, got ${String(row.number)}`);
  }
  if (!Number.isSafeInteger(row.amountKrw) || row.amountKrw < 0) {
    throw new RangeError(`plaintiff ${row.number}: amountKrw must be a non-negative safe integer`);
  }
  const name = cleanText(String(row.name ?? ''));
  if (name.length === 0) throw new RangeError(`plaintiff ${row.number}: name is empty`);
  return {
    number: row.number,
    name,
    postalCode: cleanText(String(row.postalCode ?? '')),
    address1: cleanText(String(row.address1 ?? '')),
    address2: cleanText(String(row.address2 ?? '')),
    amountKrw: row.amountKrw,
  };
}

/** "(06234) 서울특별시 강남구 테헤란로 123, 101동 1203호" — postal code first, then both address lines. */
export function fullAddress(row: CleanPlaintiffRow, withPostalCode = true): string {
  const address = row.address2 ? `${row.address1} ${row.address2}` : row.address1;
  if (!withPostalCode || row.postalCode.length === 0) return address;
  return `(${row.postalCode}) ${address}`;
}

/** Adds won amounts, staying within exact integers. */
export function addWon(total: number, amount: number): number {
  const sum = total + amount;
  if (!Number.isSafeInteger(sum)) throw new RangeError('total claim amount exceeds the safe integer range');
  return sum;
}
