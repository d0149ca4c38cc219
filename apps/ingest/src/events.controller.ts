import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Caller, CurrentCaller, RequireScope } from '@gallery/http';
import { IngestResult, IngestService } from './ingest.service';

@Controller('api/v1/events')
@RequireScope('ingest')
export class EventsController {
  constructor(private readonly ingest: IngestService) {}

  /**
   * Accepts events; 202 means Kafka has durably stored every one of them. The parsed body is
   * taken off the request, which Fastify keeps until the response is sent, so that it becomes
   * garbage as soon as its events are encoded.
   */
  @Post()
  @HttpCode(202)
  post(@Req() request: FastifyRequest, @CurrentCaller() caller: Caller): Promise<{ data: IngestResult }> {
    const body = request.body;
    request.body = undefined;
    return this.ingest.ingest(body, caller).then((data) => ({ data }));
  }
}
