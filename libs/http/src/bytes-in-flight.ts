import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ErrorBody } from './error-body';

/** Seconds a caller turned away for load should wait before retrying. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Sheds load by request body size. A request whose declared body would take the bytes of bodies
 * being handled past `maxBytes` gets 503 with Retry-After before its body is read, so that a burst
 * of large requests cannot exhaust the app's heap. A request is always admitted when nothing else
 * is in flight, whatever its size. A body without Content-Length counts as `bodyLimit` bytes.
 */
export function limitBytesInFlight(fastify: FastifyInstance, maxBytes: number, bodyLimit: number): void {
  const logger = new Logger('BytesInFlight');
  let inFlight = 0;

  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') return;
    const declared = Number(request.headers['content-length']);
    const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, bodyLimit) : bodyLimit;

    if (inFlight > 0 && inFlight + bytes > maxBytes) {
      logger.warn(
        { request_id: request.id, body_bytes: bytes, bytes_in_flight: inFlight, max_bytes: maxBytes },
        `answering 503 to request ${request.id}: its ${bytes}-byte body would take the bodies in flight past ${maxBytes} bytes`,
      );
      const body: ErrorBody = {
        error: {
          status: 503,
          code: 'server_busy',
          message: `the server is handling ${inFlight} bytes of request bodies, and this one (${bytes} bytes) would exceed its limit of ${maxBytes}; nothing was accepted, retry after ${RETRY_AFTER_SECONDS} s`,
          request_id: String(request.id),
        },
      };
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(body);
    }

    inFlight += bytes;
    // Node emits 'close' when the response completes or its connection ends first.
    reply.raw.once('close', () => {
      inFlight -= bytes;
    });
  });
}
