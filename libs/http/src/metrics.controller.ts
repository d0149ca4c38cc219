import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { metricsRegistry } from '@gallery/metrics';

/** GET /metrics in the Prometheus text format. It needs no API key, like /health and /ready. */
@Controller()
export class MetricsController {
  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const text = await metricsRegistry.metrics();
    await reply.header('content-type', metricsRegistry.contentType).send(text);
  }
}
