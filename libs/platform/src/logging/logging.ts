import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { AppConfig } from '../config/app-config';

export const CORRELATION_HEADER = 'x-correlation-id';

const PERSONAL_KEYS = [
  'password',
  'newPassword',
  'token',
  'claimantToken',
  'accessToken',
  'name',
  'email',
  'phone',
  'birthDate',
  'address',
  'line1',
  'line2',
  'postalCode',
  'description',
  'harms',
  'q',
];

/** pino redaction paths: tokens, credentials and every personal field, at any of two depths. */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'req.headers["x-access-reason"]',
  'res.headers["set-cookie"]',
  ...PERSONAL_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

const CORRELATION_RE = /^[A-Za-z0-9._:-]{8,100}$/;

/** The caller's correlation id when it looks sane, else a fresh one. */
export function correlationIdFor(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && CORRELATION_RE.test(value) ? value : randomUUID();
}

/** Drops the query string: it may hold a search term such as a phone number. */
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const i = url.indexOf('?');
  return i === -1 ? url : url.slice(0, i);
}

export function loggerParams(config: AppConfig, service: string): Params {
  const stream = config.logDestination ? pino.destination({ dest: config.logDestination, sync: true }) : undefined;
  return {
    pinoHttp: {
      ...(stream ? { stream } : {}),
      level: config.logLevel,
      base: { service, version: config.version },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const existing = (req as IncomingMessage & { id?: string }).id;
        const id = typeof existing === 'string' ? existing : correlationIdFor(req);
        res.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      customAttributeKeys: { reqId: 'correlationId' },
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          path: pathOnly(req.url),
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => pathOnly(req.url) === '/api/v1/health' },
    },
  };
}
