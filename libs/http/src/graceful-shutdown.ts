import { FastifyInstance } from 'fastify';

/** Time requests in flight get to finish after shutdown starts before their connections are cut. */
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * Lets the server close promptly on shutdown without cutting requests in flight. Node's
 * `server.close()` waits for every open connection, and a keep-alive connection whose request
 * finishes after close started stays open until the client drops it. So once closing starts,
 * each response carries `Connection: close`, and connections still open after
 * {@link DRAIN_TIMEOUT_MS} are destroyed.
 */
export function closeConnectionsOnShutdown(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
    setTimeout(() => fastify.server.closeAllConnections(), DRAIN_TIMEOUT_MS).unref();
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
