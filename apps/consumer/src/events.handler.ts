import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { BatchOutcome, BatchWriterService } from './batch-writer.service';
import { EVENT_BATCH_PATTERN, PartitionBatch } from './partition-batch';

@Controller()
export class EventsHandler {
  constructor(private readonly writer: BatchWriterService) {}

  @EventPattern(EVENT_BATCH_PATTERN)
  handle(batch: PartitionBatch): Promise<BatchOutcome> {
    return this.writer.write(batch);
  }
}
