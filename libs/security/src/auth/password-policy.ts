import { dictionary } from '@zxcvbn-ts/language-common';
import type { ErrorDetail } from '@app/platform';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

let common: Set<string> | undefined;

/** The shipped list of the most common passwords (zxcvbn-ts's, ~49,000 entries). */
function commonPasswords(): Set<string> {
  if (!common) {
    const list = (dictionary as Record<string, string[] | undefined>)['passwords-common'] ?? [];
    common = new Set(list.map((p) => p.toLowerCase()));
  }
  return common;
}

/**
 * NIST 800-63B style: length counts (12 to 256 characters), no composition rules, common and
 * trivially derived passwords refused.
 */
export function checkPassword(password: string, context: { email?: string } = {}): ErrorDetail[] {
  const chars = [...password.normalize('NFC')];
  if (chars.length < PASSWORD_MIN_LENGTH) {
    return [{ field: 'password', message: `must be at least ${PASSWORD_MIN_LENGTH} characters` }];
  }
  if (chars.length > PASSWORD_MAX_LENGTH) {
    return [{ field: 'password', message: `must be at most ${PASSWORD_MAX_LENGTH} characters` }];
  }
  const lower = password.toLowerCase();
  const stripped = lower.replace(/[\d\W_]+$/u, '');
  if (
    commonPasswords().has(lower) ||
    (stripped.length >= 4 && commonPasswords().has(stripped) && lower.length - stripped.length <= 6)
  ) {
    return [{ field: 'password', message: 'is too common; choose another' }];
  }
  if (new Set(chars).size <= 2) return [{ field: 'password', message: 'is too simple; choose another' }];
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) {
    return [{ field: 'password', message: 'must not contain the email address' }];
  }
  return [];
}
