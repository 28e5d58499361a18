import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import {
  CORRELATION_HEADER,
  ErrorEnvelopeFilter,
  RouteTable,
  correlationIdFor,
  createValidationPipe,
  type AppConfig,
} from '@app/platform';
import { ApiModule } from './app.module';

export const API_PREFIX = 'api/v1';

/** Builds the API application (not yet listening). Used by main.ts and by the e2e tests. */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    genReqId: (req: IncomingMessage) => {
      const id = correlationIdFor(req);
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
  const routes = new RouteTable();
  adapter.getInstance().addHook('onRoute', (r) => routes.add(r.method, r.url));
  adapter.getInstance().addHook('onRequest', (req, reply, done) => {
    void reply.header(CORRELATION_HEADER, String(req.id));
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forConfig(config), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    credentials: false,
    exposedHeaders: [CORRELATION_HEADER],
    maxAge: 600,
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
