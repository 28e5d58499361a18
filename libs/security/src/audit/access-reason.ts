import { DomainError, ValidationError } from '@app/platform';

/** Longest reason a staff member may give for opening a file (characters). */
export const ACCESS_REASON_MAX = 500;

/**
 * The reason a staff member gave (`X-Access-Reason`) for opening a file of personal data, trimmed:
 * required, at most {@link ACCESS_REASON_MAX} characters and free of control characters (it goes
 * into the audit trail as written). `opening` says what they open, for the error message.
 */
export function requireAccessReason(reason: string | undefined, opening: string): string {
  const why = reason?.trim() ?? '';
  if (why === '') {
    throw new DomainError('ACCESS_REASON_REQUIRED', `Say why you ${opening} in the X-Access-Reason header`);
  }
  if (why.length > ACCESS_REASON_MAX) {
    throw new ValidationError([
      { field: 'X-Access-Reason', message: `must be at most ${ACCESS_REASON_MAX} characters` },
    ]);
  }
  // Control and format characters (C0, C1, DEL, bidi overrides, zero-width) and line separators.
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(why)) {
    throw new ValidationError([{ field: 'X-Access-Reason', message: 'must not contain control characters' }]);
  }
  return why;
}
