import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { AppConfig } from '@gallery/config';
import { ClickHouseService } from '@gallery/clickhouse';
import { clickHouseReadinessCheck, HealthController, MetricsController, READINESS_CHECKS } from '@gallery/http';
import { createKafka, kafkaReadinessCheck, MessageSigner } from '@gallery/kafka';
import { BatchWriterService, CLIENT_IP_POLICY, MESSAGE_SIGNER } from './batch-writer.service';
import { CONSUMER_FAULT, ConsumerFault } from './consumer-fault';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { EventsHandler } from './events.handler';

class DeadLetterLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DeadLetterPublisher) private readonly deadLetters: DeadLetterPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.deadLetters.disconnect();
  }
}

/** The consumer's batch handler plus its HTTP endpoints: /health, /ready and /metrics. */
@Module({})
export class ConsumerModule {
  static register(config: AppConfig, clickhouse: ClickHouseService, fault: ConsumerFault): DynamicModule {
    const readinessKafka: Kafka = createKafka(config.kafka, 'consumer-ready', { retry: { retries: 0 } });
    return {
      module: ConsumerModule,
      controllers: [EventsHandler, HealthController, MetricsController],
      providers: [
        { provide: ClickHouseService, useValue: clickhouse },
        { provide: CONSUMER_FAULT, useValue: fault },
        { provide: CLIENT_IP_POLICY, useValue: { mode: config.privacy.clientIpMode, hashKey: config.privacy.clientIpHashKey } },
        { provide: MESSAGE_SIGNER, useValue: new MessageSigner(config.kafka.signingKeys) },
        { provide: DeadLetterPublisher, useFactory: () => new DeadLetterPublisher(createKafka(config.kafka, 'consumer-dlq'), config.kafka.deadLetterTopic) },
        { provide: READINESS_CHECKS, useFactory: () => [kafkaReadinessCheck(readinessKafka, config.kafka.topic), clickHouseReadinessCheck(clickhouse)] },
        BatchWriterService,
        DeadLetterLifecycle,
      ],
    };
  }
}
