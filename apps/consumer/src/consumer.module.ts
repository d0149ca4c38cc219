import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@gallery/config';
import { ClickHouseService } from '@gallery/clickhouse';
import { createKafka } from '@gallery/kafka';
import { BatchWriterService } from './batch-writer.service';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { EventsHandler } from './events.handler';

class DeadLetterLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DeadLetterPublisher) private readonly deadLetters: DeadLetterPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.deadLetters.disconnect();
  }
}

@Module({})
export class ConsumerModule {
  static register(config: AppConfig, clickhouse: ClickHouseService): DynamicModule {
    return {
      module: ConsumerModule,
      controllers: [EventsHandler],
      providers: [
        { provide: ClickHouseService, useValue: clickhouse },
        { provide: DeadLetterPublisher, useFactory: () => new DeadLetterPublisher(createKafka(config.kafka, 'consumer-dlq'), config.kafka.deadLetterTopic) },
        BatchWriterService,
        DeadLetterLifecycle,
      ],
    };
  }
}
