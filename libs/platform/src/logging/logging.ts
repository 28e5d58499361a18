import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
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

const roots = new Map<string, pino.Logger>();

/** One pino logger per process and service: JSON, redacted, to stdout or LOG_DESTINATION. */
export function rootLogger(config: AppConfig, service: string): pino.Logger {
  const key = `${service}|${config.logLevel}|${config.logDestination ?? ''}`;
  let logger = roots.get(key);
  if (!logger) {
    const options: pino.LoggerOptions = {
      level: config.logLevel,
      base: { service, version: config.version },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    };
    logger = config.logDestination
      ? pino(options, pino.destination({ dest: config.logDestination, sync: true }))
      : pino(options);
    roots.set(key, logger);
  }
  return logger;
}

/**
 * Nest's logger (nestjs-pino) on the shared root logger. Per-request logging is not done by
 * pino-http middleware (it halved throughput) but by one Fastify onResponse hook: see
 * {@link logRequest}.
 */
export function loggerParams(config: AppConfig, service: string): Params {
  return { pinoHttp: { logger: rootLogger(config, service), autoLogging: false }, forRoutes: [] };
}

export interface RequestLogFields {
  correlationId: string;
  method: string;
  url: string;
  statusCode: number;
  responseTimeMs: number;
}

/** One line per request: method, path (never the query string), status, time, correlation id. */
export function logRequest(logger: pino.Logger, f: RequestLogFields): void {
  if (!logger.isLevelEnabled('info')) return;
  const path = pathOnly(f.url);
  if (path === '/api/v1/health') return;
  logger.info(
    {
      correlationId: f.correlationId,
      req: { method: f.method, path },
      res: { statusCode: f.statusCode },
      responseTime: Math.round(f.responseTimeMs * 10) / 10,
    },
    'request completed',
  );
}
