/** One problem with one input field, in the `{ field, message }` shape of the API's validation errors. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** True for plain objects (not null, not arrays). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field errors for every key of `input` not in `allowed` (unknown fields are rejected, never ignored). */
export function unknownFieldErrors(
  input: Record<string, unknown>,
  allowed: readonly string[],
  prefix = '',
): FieldError[] {
  return Object.keys(input)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: `${prefix}${key}`, message: `unknown field "${prefix}${key}" is not accepted` }));
}
