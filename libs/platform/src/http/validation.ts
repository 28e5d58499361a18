import { ValidationPipe, type ValidationError as CvError } from '@nestjs/common';
import { ValidationError, type ErrorDetail } from '../errors/domain-error';

/** Flattens class-validator errors to `{ field, message }` with dotted paths (`address.postalCode`). */
export function flattenValidationErrors(errors: readonly CvError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      out.push({
        field,
        message: rule === 'whitelistValidation' ? `unknown field "${field}" is not accepted` : message,
      });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** The global pipe: strip nothing silently, reject unknown fields, transform to DTO classes. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationError(flattenValidationErrors(errors)),
  });
}
