import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_STATUS, type ErrorCode, type ErrorDetail } from '../errors/domain-error';
import { CORRELATION_HEADER, pathOnly } from '../logging/logging';
import type { RouteTable } from './route-table';

export interface ErrorEnvelope {
  statusCode: number;
  code: string;
  message: string;
  correlationId: string;
  details?: ErrorDetail[];
}

const STATUS_CODE: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * PostgreSQL's lock_not_available (a statement waited longer than lock_timeout, see apiLockTimeoutMs)
 * and deadlock_detected (this transaction was chosen to break a deadlock): both rolled back, both
 * worth a retry.
 */
const PG_BUSY_CODES = new Set(['55P03', '40P01']);
const RECORD_BUSY_RETRY_AFTER_SECONDS = '30';

/**
 * The PostgreSQL data exceptions a request's own values cause (a value it cannot store or read:
 * U+0000 or invalid text, a string too long, a date it cannot read or out of its range, text that
 * is not a number). They are the caller's 400, never a 500; the code is logged so the validation
 * gap can be closed. Other class-22 errors (an overflow in a sum, a division by zero) are the
 * server's and stay 500s.
 */
const PG_REQUEST_VALUE_ERRORS = new Set(['22P05', '22021', '22001', '22007', '22008', '22P02']);

/** The multipart parser's (busboy's) plain errors for a body that is not well-formed multipart. */
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|Unexpected end of multipart data|Part terminated early|Malformed part header)/;

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The request body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'Invalid content length' },
  FST_REQ_FILE_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The file is too large' },
  FST_FILES_LIMIT: { code: 'PAYLOAD_TOO_LARGE', message: 'Too many files' },
  FST_PARTS_LIMIT: { code: 'PAYLOAD_TOO_LARGE', message: 'Too many parts' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Expected multipart/form-data' },
};

function correlationId(req: FastifyRequest): string {
  const raw = req.raw as FastifyRequest['raw'] & { id?: unknown };
  return typeof raw.id === 'string' ? raw.id : String(req.id);
}

/**
 * The one place errors become HTTP. Every response has the envelope of api.md and a correlation
 * id; nothing internal (stack, SQL, messages of unexpected errors) ever reaches the caller.
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  constructor(private readonly routes?: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const cid = correlationId(req);
    const body = this.toEnvelope(exception, req, cid);
    const headers =
      exception instanceof DomainError
        ? exception.headers
        : body.code === 'RECORD_BUSY'
          ? { 'retry-after': RECORD_BUSY_RETRY_AFTER_SECONDS }
          : undefined;
    if (body.statusCode >= 500) {
      this.log.error(
        { correlationId: cid, err: exception instanceof Error ? { type: exception.name, stack: exception.stack } : {} },
        'unhandled error',
      );
    }
    if (body.statusCode === 405) {
      void reply.header('allow', this.allowedMethods(req).join(', '));
    }
    for (const [k, v] of Object.entries(headers ?? {})) void reply.header(k, v);
    void reply.header(CORRELATION_HEADER, cid).status(body.statusCode).type('application/json').send(body);
  }

  private toEnvelope(exception: unknown, req: FastifyRequest, cid: string): ErrorEnvelope {
    if (exception instanceof DomainError) {
      return {
        statusCode: exception.status,
        code: exception.code,
        message: exception.message,
        correlationId: cid,
        ...(exception.details ? { details: [...exception.details] } : {}),
      };
    }
    // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException with the cause.
    const cause = (exception instanceof HttpException ? exception.cause : exception) as { code?: unknown } | undefined;
    if (cause && typeof cause.code === 'string' && FASTIFY_CODES[cause.code]) {
      const known = FASTIFY_CODES[cause.code];
      return { statusCode: ERROR_STATUS[known.code], code: known.code, message: known.message, correlationId: cid };
    }
    if (cause && typeof cause.code === 'string' && PG_BUSY_CODES.has(cause.code)) {
      return {
        statusCode: ERROR_STATUS.RECORD_BUSY,
        code: 'RECORD_BUSY',
        message:
          'This record is held by another operation (for example a filing whose documents are being prepared); ' +
          'try again shortly',
        correlationId: cid,
      };
    }
    if (cause instanceof Error && MALFORMED_MULTIPART.test(cause.message)) {
      return {
        statusCode: 400,
        code: 'BAD_REQUEST',
        message: 'The multipart body is malformed (no boundary, or cut short)',
        correlationId: cid,
      };
    }
    if (cause && typeof cause.code === 'string' && PG_REQUEST_VALUE_ERRORS.has(cause.code)) {
      this.log.warn({ correlationId: cid, pgCode: cause.code }, 'a request value was refused by the database');
      return {
        statusCode: 400,
        code: 'BAD_REQUEST',
        message: 'A value in the request cannot be stored (control characters, or a date or number out of range)',
        correlationId: cid,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404 && this.allowedMethods(req).length > 0) {
        return {
          statusCode: 405,
          code: 'METHOD_NOT_ALLOWED',
          message: `${req.method} is not allowed on ${pathOnly(req.url)}`,
          correlationId: cid,
        };
      }
      const code = STATUS_CODE[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
      const response = exception.getResponse();
      const message =
        status >= 500
          ? 'Internal error'
          : status === 404
            ? `No route ${req.method} ${pathOnly(req.url)}`
            : typeof response === 'object' && response && 'message' in response && typeof response.message === 'string'
              ? response.message
              : exception.message;
      return { statusCode: status, code, message, correlationId: cid };
    }
    const fst = exception as { code?: unknown; statusCode?: unknown; message?: unknown };
    if ((exception as { name?: unknown }).name === 'SyntaxError' && fst.statusCode === 400) {
      return {
        statusCode: 400,
        code: 'MALFORMED_JSON',
        message: 'The request body is not valid JSON',
        correlationId: cid,
      };
    }
    if (typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
      const code = STATUS_CODE[fst.statusCode] ?? 'BAD_REQUEST';
      return { statusCode: fst.statusCode, code, message: 'The request could not be processed', correlationId: cid };
    }
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal error', correlationId: cid };
  }

  /** Methods that do have a route at this URL (for 405 instead of 404). */
  private allowedMethods(req: FastifyRequest): string[] {
    if (!this.routes) return [];
    return this.routes.methodsFor(pathOnly(req.url)).filter((m) => m !== req.method);
  }
}
