/**
 * Stable error codes. Clients depend on these strings: add new ones, never rename.
 * Each maps to one HTTP status in {@link ERROR_STATUS}; workers throw the same errors.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  ACCESS_REASON_REQUIRED: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  INTEGRITY_CHECK_FAILED: 409,
  INTAKE_CLOSED: 409,
  ALREADY_IN_OPEN_FILING: 409,
  CLAIM_AMOUNT_MISSING: 409,
  RECORD_BUSY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_FILE_TYPE: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNDER_14: 422,
  QUOTA_EXCEEDED: 422,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  field: string;
  message: string;
}

/** A business rule said no. Carries a stable code; the HTTP filter maps it to a status. */
export class DomainError extends Error {
  /**
   * True when the same request may well succeed later without anyone changing it (say, this
   * process lacks a key other processes already have): a queued job retries it like an
   * infrastructure error instead of giving up at once.
   */
  readonly transient: boolean = false;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/**
 * Whether a queued job should give up at once on this error: a business rule said no, and asking
 * again will not change the answer. Infrastructure errors and transient domain errors are retried.
 */
export function failsJobAtOnce(err: unknown): boolean {
  return err instanceof DomainError && !err.transient;
}

export class NotFoundError extends DomainError {
  constructor(what = 'Resource') {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ValidationError extends DomainError {
  constructor(details: readonly ErrorDetail[], message = 'Request validation failed') {
    super('VALIDATION_FAILED', message, details);
  }
}
