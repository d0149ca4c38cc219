import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Caller, CurrentCaller, RequireScope } from '@gallery/http';
import { IngestResult, IngestService } from './ingest.service';

@Controller('api/v1/events')
@RequireScope('ingest')
export class EventsController {
  constructor(private readonly ingest: IngestService) {}

  /** Accepts events; 202 means Kafka has durably stored every one of them. */
  @Post()
  @HttpCode(202)
  async post(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<{ data: IngestResult }> {
    return { data: await this.ingest.ingest(body, caller) };
  }
}
