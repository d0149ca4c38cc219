import { DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { loadAppConfig } from '@gallery/config';
import { createRootLogger, PinoNestLogger } from './logger';
import { AllExceptionsFilter } from './exception.filter';
import { stringifyExact } from './exact-json';
import { recordHttpMetrics } from './http-metrics';
import { closeConnectionsOnShutdown } from './graceful-shutdown';
import { addSecurityHeaders, enableCors } from './security-headers';

export interface HttpAppOptions {
  service: string;
  host: string;
  port: number;
  logLevel: string;
  /** Largest request body in bytes; a larger one gets 413. */
  bodyLimit?: number;
  /** Origins allowed by CORS; defaults to `CORS_ORIGINS`, which is empty (CORS closed) unless set. */
  corsOrigins?: readonly string[];
  /** Runs after the app is set up and before it listens, for example to mount Swagger UI. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Creates and starts a Fastify-based Nest app with the shared logger, error filter, request ids
 * (taken from `X-Request-Id` when the caller sends a sane one) and graceful shutdown on SIGTERM.
 */
export async function startHttpApp(module: Type<unknown> | DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const root = createRootLogger(options.service, options.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: root,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: (request: IncomingMessage) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(header) ? header : randomUUID();
    },
  });

  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(root),
    bufferLogs: false,
  });
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.setReplySerializer((payload) => stringifyExact(payload));
  recordHttpMetrics(fastify);
  closeConnectionsOnShutdown(fastify);
  fastify
    .addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', String(request.id));
    });

  addSecurityHeaders(app);
  enableCors(app, options.corsOrigins ?? loadAppConfig().security.corsOrigins);

  await options.configure?.(app);
  await app.listen(options.port, options.host);
  new Logger('Bootstrap').log(`${options.service} listening on http://${options.host}:${options.port}`);
  return app;
}

/** Logs a start-up failure with its cause and ends the process with a non-zero code. */
export function exitOnStartupFailure(service: string): (error: unknown) => void {
  return (error: unknown) => {
    const root = createRootLogger(service, 'info');
    root.fatal({ err: error }, `${service} failed to start: ${(error as Error)?.message ?? String(error)}`);
    process.exit(1);
  };
}

export type { INestApplication };
