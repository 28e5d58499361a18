import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: unambiguous when read aloud or typed from a phone screen. */
export const REFERENCE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** `CP-7K3Q-M2XD`: 31^8 (about 8.5e11) values, unique per case (retried on collision). */
export function newReference(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return `CP-${s.slice(0, 4)}-${s.slice(4)}`;
}

/** A claimant's portal token (`jsic_` + 256 random bits); only its hash is stored. */
export const CLAIMANT_TOKEN_PREFIX = 'jsic_';

export const REFERENCE_PATTERN = /^CP-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;

export function normalizeReference(text: string): string {
  return text.trim().toUpperCase();
}
