import type { Vault } from '@app/security';
import { nameBirthKey, normalizeAddress, normalizeName } from '@app/security';
import type { Harm, IntakeAddress } from './intake/intake-validator';

export const CLAIMANTS_TABLE = 'claimants';

/** Every encrypted column of `claimants` (for reads, key rotation and erasure). */
export const CLAIMANT_ENCRYPTED_COLUMNS = [
  'name_enc',
  'birth_date_enc',
  'phone_enc',
  'email_enc',
  'address_enc',
  'harms_enc',
] as const;
export type ClaimantEncryptedColumn = (typeof CLAIMANT_ENCRYPTED_COLUMNS)[number];

export interface ClaimantPersonal {
  name: string;
  birthDate: string;
  phone: string;
  email: string;
  address: IntakeAddress;
  harms: Harm[];
}

export interface SealedClaimant {
  name_enc: string;
  birth_date_enc: string;
  phone_enc: string;
  email_enc: string;
  address_enc: string;
  harms_enc: string;
  name_bidx: Buffer;
  phone_bidx: Buffer;
  email_bidx: Buffer;
  name_birth_bidx: Buffer;
  address_bidx: Buffer;
}

/** Blind-index kinds; the normalized forms are in @app/security's normalizers. */
export const BIDX = {
  name: 'claimant-name',
  phone: 'claimant-phone',
  email: 'claimant-email',
  nameBirth: 'claimant-name-birth',
  address: 'claimant-address',
  sourceIp: 'claimant-source-ip',
  /** The fingerprint of a keyed submission's body (canonical JSON), to tell a retry from a reuse. */
  intakeRequest: 'intake-request',
} as const;

/** Encrypts a claimant's personal fields for row `id` and computes its blind indexes. */
export function sealClaimant(vault: Vault, id: string, p: ClaimantPersonal): SealedClaimant {
  return { ...encryptClaimant(vault, id, p), ...blindIndexes(vault, p) };
}

/** The encrypted columns alone (a bulk import computes the blind indexes first, to skip duplicates). */
export function encryptClaimant(
  vault: Vault,
  id: string,
  p: ClaimantPersonal,
): Pick<SealedClaimant, ClaimantEncryptedColumn> {
  const at = (column: ClaimantEncryptedColumn) => ({ table: CLAIMANTS_TABLE, column, rowId: id });
  return {
    name_enc: vault.encrypt(at('name_enc'), p.name),
    birth_date_enc: vault.encrypt(at('birth_date_enc'), p.birthDate),
    phone_enc: vault.encrypt(at('phone_enc'), p.phone),
    email_enc: vault.encrypt(at('email_enc'), p.email),
    address_enc: vault.encrypt(at('address_enc'), JSON.stringify(p.address)),
    harms_enc: vault.encrypt(at('harms_enc'), JSON.stringify(p.harms)),
  };
}

export function blindIndexes(
  vault: Vault,
  p: Pick<ClaimantPersonal, 'name' | 'birthDate' | 'phone' | 'email' | 'address'>,
): Pick<SealedClaimant, 'name_bidx' | 'phone_bidx' | 'email_bidx' | 'name_birth_bidx' | 'address_bidx'> {
  return {
    name_bidx: vault.blindIndex(BIDX.name, normalizeName(p.name)),
    phone_bidx: vault.blindIndex(BIDX.phone, p.phone),
    email_bidx: vault.blindIndex(BIDX.email, p.email),
    name_birth_bidx: vault.blindIndex(BIDX.nameBirth, nameBirthKey(p.name, p.birthDate)),
    address_bidx: vault.blindIndex(
      BIDX.address,
      normalizeAddress(p.address.postalCode, p.address.line1, p.address.line2),
    ),
  };
}

export type EncryptedRow = Partial<Record<ClaimantEncryptedColumn, string | null>> & { id: string };

/** Decrypts what the row holds (erased fields stay null). */
export function openClaimant(vault: Vault, row: EncryptedRow): Partial<ClaimantPersonal> {
  const get = (column: ClaimantEncryptedColumn): string | undefined => {
    const v = row[column];
    return v ? vault.decrypt({ table: CLAIMANTS_TABLE, column, rowId: row.id }, v) : undefined;
  };
  const address = get('address_enc');
  const harms = get('harms_enc');
  return {
    name: get('name_enc'),
    birthDate: get('birth_date_enc'),
    phone: get('phone_enc'),
    email: get('email_enc'),
    address: address ? (JSON.parse(address) as IntakeAddress) : undefined,
    harms: harms ? (JSON.parse(harms) as Harm[]) : undefined,
  };
}

/** 홍길동 -> 홍*동, 김철 -> 김*, John Smith -> J********h */
export function maskName(name: string | undefined): string {
  if (!name) return '';
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** +821012345678 -> 010-****-5678 */
export function maskPhone(e164: string | undefined): string {
  if (!e164) return '';
  const local = e164.startsWith('+82') ? `0${e164.slice(3)}` : e164;
  return `${local.slice(0, 3)}-****-${local.slice(-4)}`;
}

/** +821012345678 -> 010-1234-5678 */
export function formatPhone(e164: string): string {
  const local = e164.startsWith('+82') ? `0${e164.slice(3)}` : e164;
  return local.length === 11 ? `${local.slice(0, 3)}-${local.slice(3, 7)}-${local.slice(7)}` : local;
}
