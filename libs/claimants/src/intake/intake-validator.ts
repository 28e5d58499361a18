import { DATA_CATEGORIES, isDataCategory, type DataCategory } from '@app/claims';
import { normalizeEmail, normalizeKoreanMobile, normalizeName } from '@app/security';

export interface FieldProblem {
  field: string;
  message: string;
}

export const HARM_KINDS = [
  'smishing',
  'voice_phishing',
  'account_takeover',
  'spam',
  'financial_loss',
  'other',
] as const;
export type HarmKind = (typeof HARM_KINDS)[number];

export interface Harm {
  kind: HarmKind;
  occurredOn: string;
  lossKrw: number;
  description: string;
}

export interface IntakeAddress {
  postalCode: string;
  line1: string;
  line2: string;
}

/** A validated, normalized submission (the same for the public form and the CSV import). */
export interface IntakeSubmission {
  name: string;
  birthDate: string;
  /** E.164, e.g. +821012345678 */
  phone: string;
  email: string;
  address: IntakeAddress;
  exposedData: DataCategory[];
  noticeReceivedOn: string | null;
  harms: Harm[];
  couponUsed: boolean | null;
  consents: Record<string, boolean>;
  attestation: boolean;
}

export type IntakeValidation =
  { ok: true; value: IntakeSubmission } | { ok: false; under14: boolean; errors: FieldProblem[] };

/** Every field the intake body may hold. */
export const INTAKE_FIELDS: readonly string[] = [
  'name',
  'birthDate',
  'phone',
  'email',
  'address',
  'exposedData',
  'noticeReceivedOn',
  'harms',
  'consents',
  'attestation',
  'couponUsed',
];
const RRN_FIELD =
  /^(rrn|ssn|jumin|juminNumber|residentRegistrationNumber|residentNumber|registrationNumber|주민등록번호)$/i;
const RRN_VALUE = /\b\d{6}\s*-?\s*[1-8]\d{6}\b/;
const NAME = /^[가-힣A-Za-z](?:[가-힣A-Za-z .'·-]{0,48}[가-힣A-Za-z.])?$/u;
const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f<>]/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in YYYY-MM-DD, or undefined. */
export function parseIsoDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value ? d : undefined;
}

/** Today's date in Korea (claimants' ages and "in the past" are judged in KST). */
export function todayInKorea(now = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(
  errors: FieldProblem[],
  field: string,
  v: unknown,
  opts: { min: number; max: number; optional?: boolean; multiline?: boolean },
): string {
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return '';
    errors.push({ field, message: 'is required' });
    return '';
  }
  if (typeof v !== 'string') {
    errors.push({ field, message: 'must be text' });
    return '';
  }
  const s = v.normalize('NFC').trim();
  const len = [...s].length;
  if (len < opts.min || len > opts.max) {
    errors.push({ field, message: `must be ${opts.min} to ${opts.max} characters` });
    return '';
  }
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  const control = opts.multiline ? /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/u : CONTROL;
  if (control.test(s)) {
    errors.push({ field, message: 'contains characters that are not allowed' });
    return '';
  }
  if (RRN_VALUE.test(s)) {
    errors.push({ field, message: 'looks like a resident registration number, which is never collected' });
    return '';
  }
  return s;
}

/**
 * The one validator of a claimant submission, shared by the public form and the CSV import.
 * Knows Korea: NFC Hangul or Latin names, 010 mobiles to E.164, real past birth dates (under 14
 * refused: PIPA requires a guardian's consent), 5-digit postal codes, and never an RRN.
 */
export function validateIntake(
  input: unknown,
  opts: { requiredConsents: readonly string[]; optionalConsents?: readonly string[]; today?: string },
): IntakeValidation {
  const errors: FieldProblem[] = [];
  let under14 = false;
  if (!isRecord(input)) return { ok: false, under14, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  for (const key of Object.keys(input)) {
    if (RRN_FIELD.test(key)) {
      errors.push({
        field: key,
        message: 'resident registration numbers (주민등록번호) are never collected; remove this field',
      });
    } else if (!INTAKE_FIELDS.includes(key)) {
      errors.push({ field: key, message: `unknown field "${key}" is not accepted` });
    }
  }
  const today = opts.today ?? todayInKorea();

  const rawName = text(errors, 'name', input.name, { min: 1, max: 50 });
  const name = rawName ? normalizeName(rawName) : '';
  if (name && !NAME.test(name)) {
    errors.push({ field: 'name', message: 'must be a name in Hangul or Latin letters' });
  }

  let birthDate = '';
  const birth = parseIsoDate(input.birthDate);
  if (!birth) errors.push({ field: 'birthDate', message: 'must be a real date as YYYY-MM-DD' });
  else if (typeof input.birthDate === 'string') {
    if (input.birthDate >= today || input.birthDate < '1900-01-01') {
      errors.push({ field: 'birthDate', message: 'must be a date in the past' });
    } else if (ageOn(input.birthDate, today) < 14) {
      under14 = true;
      errors.push({ field: 'birthDate', message: 'claimants under 14 need a legal guardian to apply for them' });
    } else birthDate = input.birthDate;
  }

  let phone = '';
  if (typeof input.phone !== 'string' || input.phone.length > 30) {
    errors.push({ field: 'phone', message: 'must be a mobile number like 010-1234-5678' });
  } else {
    const e164 = normalizeKoreanMobile(input.phone);
    if (!e164) errors.push({ field: 'phone', message: 'must be a Korean mobile number like 010-1234-5678' });
    else phone = e164;
  }

  let email = '';
  if (typeof input.email !== 'string' || input.email.length > 254) {
    errors.push({ field: 'email', message: 'must be an email address' });
  } else {
    const e = normalizeEmail(input.email);
    if (!EMAIL.test(e)) errors.push({ field: 'email', message: 'must be an email address' });
    else email = e;
  }

  const address: IntakeAddress = { postalCode: '', line1: '', line2: '' };
  if (!isRecord(input.address)) {
    errors.push({ field: 'address', message: 'must be an object with postalCode, line1 and line2' });
  } else {
    for (const key of Object.keys(input.address)) {
      if (!['postalCode', 'line1', 'line2'].includes(key)) {
        errors.push({ field: `address.${key}`, message: `unknown field "address.${key}" is not accepted` });
      }
    }
    if (typeof input.address.postalCode !== 'string' || !/^\d{5}$/.test(input.address.postalCode)) {
      errors.push({ field: 'address.postalCode', message: 'must be a 5-digit postal code' });
    } else address.postalCode = input.address.postalCode;
    address.line1 = text(errors, 'address.line1', input.address.line1, { min: 2, max: 200 });
    address.line2 = text(errors, 'address.line2', input.address.line2, { min: 0, max: 200, optional: true });
  }

  const exposedData: DataCategory[] = [];
  if (input.exposedData !== undefined) {
    if (!Array.isArray(input.exposedData) || input.exposedData.length > DATA_CATEGORIES.length * 2) {
      errors.push({ field: 'exposedData', message: `must be a list of ${DATA_CATEGORIES.join(', ')}` });
    } else {
      for (const [i, c] of (input.exposedData as unknown[]).entries()) {
        if (!isDataCategory(c)) {
          errors.push({ field: `exposedData[${i}]`, message: `must be one of ${DATA_CATEGORIES.join(', ')}` });
        } else if (!exposedData.includes(c)) exposedData.push(c);
      }
    }
  }

  let noticeReceivedOn: string | null = null;
  if (input.noticeReceivedOn !== undefined && input.noticeReceivedOn !== null) {
    const d = parseIsoDate(input.noticeReceivedOn);
    if (!d || typeof input.noticeReceivedOn !== 'string') {
      errors.push({ field: 'noticeReceivedOn', message: 'must be a real date as YYYY-MM-DD' });
    } else if (input.noticeReceivedOn < '2025-06-24' || input.noticeReceivedOn > today) {
      errors.push({ field: 'noticeReceivedOn', message: 'must be between 2025-06-24 and today' });
    } else noticeReceivedOn = input.noticeReceivedOn;
  }

  const harms: Harm[] = [];
  if (input.harms !== undefined) {
    if (!Array.isArray(input.harms) || input.harms.length > 20) {
      errors.push({ field: 'harms', message: 'must be a list of at most 20 harms' });
    } else {
      for (const [i, h] of (input.harms as unknown[]).entries()) {
        const f = `harms[${i}]`;
        if (!isRecord(h)) {
          errors.push({ field: f, message: 'must be an object' });
          continue;
        }
        for (const key of Object.keys(h)) {
          if (!['kind', 'occurredOn', 'lossKrw', 'description'].includes(key)) {
            errors.push({ field: `${f}.${key}`, message: `unknown field "${f}.${key}" is not accepted` });
          }
        }
        const kind = h.kind;
        if (typeof kind !== 'string' || !(HARM_KINDS as readonly string[]).includes(kind)) {
          errors.push({ field: `${f}.kind`, message: `must be one of ${HARM_KINDS.join(', ')}` });
        }
        const occurred = parseIsoDate(h.occurredOn);
        if (!occurred || typeof h.occurredOn !== 'string' || h.occurredOn > today) {
          errors.push({ field: `${f}.occurredOn`, message: 'must be a real past date as YYYY-MM-DD' });
        }
        const loss = h.lossKrw ?? 0;
        if (typeof loss !== 'number' || !Number.isSafeInteger(loss) || loss < 0 || loss > 1_000_000_000_000) {
          errors.push({ field: `${f}.lossKrw`, message: 'must be a whole number of won from 0' });
        }
        const description = text(errors, `${f}.description`, h.description, {
          min: 0,
          max: 2000,
          optional: true,
          multiline: true,
        });
        if (typeof kind === 'string' && typeof h.occurredOn === 'string' && typeof loss === 'number') {
          harms.push({ kind: kind as HarmKind, occurredOn: h.occurredOn, lossKrw: loss, description });
        }
      }
    }
  }

  let couponUsed: boolean | null = null;
  if (input.couponUsed !== undefined && input.couponUsed !== null) {
    if (typeof input.couponUsed !== 'boolean') errors.push({ field: 'couponUsed', message: 'must be true or false' });
    else couponUsed = input.couponUsed;
  }

  const consents: Record<string, boolean> = {};
  if (!isRecord(input.consents)) {
    errors.push({ field: 'consents', message: 'must be an object of consent answers' });
  } else {
    const known = [...opts.requiredConsents, ...(opts.optionalConsents ?? [])];
    for (const [key, v] of Object.entries(input.consents)) {
      if (!known.includes(key)) errors.push({ field: `consents.${key}`, message: `unknown consent "${key}"` });
      else if (typeof v !== 'boolean') errors.push({ field: `consents.${key}`, message: 'must be true or false' });
      else consents[key] = v;
    }
    for (const key of opts.requiredConsents) {
      if (input.consents[key] !== true) {
        errors.push({ field: `consents.${key}`, message: 'this consent is required to join the suit' });
      }
    }
  }
  if (input.attestation !== true) {
    errors.push({ field: 'attestation', message: 'you must confirm that the statements are true' });
  }

  if (errors.length > 0) return { ok: false, under14, errors };
  return {
    ok: true,
    value: {
      name,
      birthDate,
      phone,
      email,
      address,
      exposedData,
      noticeReceivedOn,
      harms,
      couponUsed,
      consents,
      attestation: true,
    },
  };
}
