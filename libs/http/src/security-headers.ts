import helmet from 'helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Builds helmet's middleware for this service's headers. Its default Content-Security-Policy allows
 * scripts and styles from the same origin only, which is what Swagger UI at /docs needs:
 * @nestjs/swagger serves it as files with no inline script. The JSON and CSV endpoints are not
 * rendered by browsers, so the same policy costs them nothing.
 */
export function securityHeadersMiddleware() {
  return helmet({
    // The APIs speak plain HTTP behind a TLS-terminating proxy, which owns HSTS for its domain.
    strictTransportSecurity: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * Adds helmet's security headers to every response, errors included, before any handler runs.
 * The middleware is built once: building it per request, as @fastify/helmet does, parses the
 * policy again each time.
 */
export function addSecurityHeaders(app: NestFastifyApplication): void {
  const middleware = securityHeadersMiddleware();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => middleware(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
}

/**
 * Allows browser calls from exactly these origins; with none, no CORS headers are sent, so
 * browsers block every cross-origin read. The API key travels in a header, never in a cookie, so
 * credentials mode stays off.
 */
export function enableCors(app: NestFastifyApplication, origins: readonly string[]): void {
  if (origins.length === 0) return;
  app.enableCors({
    origin: [...origins],
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    credentials: false,
    maxAge: 600,
  });
}
