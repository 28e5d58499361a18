import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { Logger } from 'nestjs-pino';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import {
  CORRELATION_HEADER,
  ErrorEnvelopeFilter,
  SECURITY_HEADERS,
  logRequest,
  rootLogger,
  RouteTable,
  correlationIdFor,
  createValidationPipe,
  type AppConfig,
} from '@app/platform';
import { ApiModule } from './app.module';

export const API_PREFIX = 'api/v1';

export interface ApiAppOptions {
  /** More controllers on the same stack (the http benchmark mounts a trivial route this way). */
  extraControllers?: Type<unknown>[];
}

/**
 * What every response gets, as two Fastify hooks: the security headers (helmet's set, precomputed)
 * and the correlation id on the way in, one JSON request-log line on the way out. Requests carry
 * their correlation id as `req.id` (see genReqId). The http benchmark measures these on bare Fastify.
 */
export function addResponseHooks(fastify: FastifyInstance, config: AppConfig): void {
  const headers = { ...SECURITY_HEADERS };
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.headers(headers).header(CORRELATION_HEADER, String(req.id));
    done();
  });
  const requestLog = rootLogger(config, 'api');
  fastify.addHook('onResponse', (req, reply, done) => {
    logRequest(requestLog, {
      correlationId: String(req.id),
      method: req.method,
      url: req.url,
      statusCode: reply.statusCode,
      responseTimeMs: reply.elapsedTime,
    });
    done();
  });
}

/** Builds the API application (not yet listening). Used by main.ts, the e2e tests and the benchmarks. */
export async function createApiApp(config: AppConfig, opts: ApiAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    return503OnClosing: true,
    // No Nest middleware is used (request logging is a Fastify hook), so middie's per-request cost is skipped.
    skipMiddie: true,
    genReqId: (req: IncomingMessage) => {
      const id = correlationIdFor(req);
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
  const routes = new RouteTable();
  adapter.getInstance().addHook('onRoute', (r) => routes.add(r.method, r.url));
  addResponseHooks(adapter.getInstance(), config);

  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forConfig(config, opts.extraControllers),
    adapter,
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  // CORS only for the configured origins; with none, no CORS headers at all (same-origin only).
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      credentials: false,
      exposedHeaders: [CORRELATION_HEADER],
      maxAge: 600,
    });
  }
  // Uploads (evidence): one file, a few fields, file size from EVIDENCE_MAX_BYTES; a file over the
  // limit is cut short and flagged (`file.truncated`) and the upload answers 413.
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.evidenceMaxBytes, files: 1, fields: 5, parts: 10, fieldSize: 4096 },
  });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorEnvelopeFilter(routes));

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Joint-suit intake API')
      .setDescription('Claimant intake, tracking, claim arithmetic and court filings')
      .setVersion(config.version)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });
  await app.init();
  return app;
}
