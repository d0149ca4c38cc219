import helmet from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Adds the security headers of @fastify/helmet 13 (for Fastify 5) to every response. Its default
 * Content-Security-Policy allows scripts and styles from the same origin only, which is what
 * Swagger UI at /docs needs: @nestjs/swagger serves it as files with no inline script. The JSON
 * and CSV endpoints are not rendered by browsers, so the same policy costs them nothing.
 */
export async function addSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    // The APIs speak plain HTTP behind a TLS-terminating proxy, which owns HSTS for its domain.
    strictTransportSecurity: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
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
