import { FastifyInstance } from 'fastify';
import { httpRequestDurationSeconds, httpRequestsTotal } from '@gallery/metrics';

/**
 * Counts every response and its latency. The route label is the route pattern, such as
 * `/api/v1/collections/:collection_id/downloads`, so collection ids do not create label values;
 * requests that match no route share the label `unmatched`.
 */
export function recordHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    httpRequestsTotal.inc(labels);
    httpRequestDurationSeconds.observe(labels, reply.elapsedTime / 1000);
  });
}
