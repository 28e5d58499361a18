import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** NFC, trimmed, inner whitespace collapsed. */
export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export function normalizeEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

/**
 * A Korean mobile number (010-XXXX-XXXX, with or without separators, or +82 10 ...) as E.164,
 * or undefined when it is not one.
 */
export function normalizeKoreanMobile(phone: string): string | undefined {
  const cleaned = phone.normalize('NFKC').trim();
  if (!/^[+\d\s().-]{8,20}$/.test(cleaned)) return undefined;
  const parsed = parsePhoneNumberFromString(cleaned, 'KR');
  if (!parsed || !parsed.isValid() || parsed.country !== 'KR') return undefined;
  if (parsed.getType() !== 'MOBILE') return undefined;
  const e164 = parsed.number;
  return /^\+8210\d{8}$/.test(e164) ? e164 : undefined;
}

/** The search form of a phone typed any way (010-1234-5678, 01012345678, +82 10 ...). */
export function phoneSearchKey(text: string): string | undefined {
  return normalizeKoreanMobile(text);
}

/** Name + birth date as one dedupe key. */
export function nameBirthKey(name: string, birthDate: string): string {
  return `${normalizeName(name)}|${birthDate}`;
}

/** Address compared without spacing, punctuation or case differences. */
export function normalizeAddress(postalCode: string, line1: string, line2: string | undefined): string {
  const squash = (s: string): string =>
    s
      .normalize('NFC')
      .toLowerCase()
      .replace(/[\s,.\-()#]/g, '');
  return `${postalCode.trim()}|${squash(line1)}|${squash(line2 ?? '')}`;
}
