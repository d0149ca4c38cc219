import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@gallery/config';
import { apiKeyGuardProvider, HealthController, MetricsController, READINESS_CHECKS } from '@gallery/http';
import { createKafka, ensureTopics, EventPublisher, kafkaReadinessCheck, MessageSigner } from '@gallery/kafka';
import { EventsController } from './events.controller';
import { IngestService } from './ingest.service';

const APP_CONFIG = Symbol('APP_CONFIG');

/** Time given to publishes still in flight at shutdown; the HTTP server has closed by then. */
const DRAIN_TIMEOUT_MS = 15_000;

/** Connects the producer at start without failing the start: requests get 503 until Kafka responds. */
class PublisherLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Publisher');

  constructor(
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const keyId = this.publisher.signingKeyId;
    if (keyId) this.logger.log({ signing_key_id: keyId }, `signing messages with key ${keyId}`);
    else this.logger.warn('EVENT_SIGNING_KEYS is not set: messages go out unsigned, and the consumer validates every event again');
    try {
      await ensureTopics(createKafka(this.config.kafka, 'ingest-admin'), this.config.kafka);
      await this.publisher.connect();
    } catch (error) {
      this.logger.error({ err: error, brokers: this.config.kafka.brokers }, 'Kafka is not reachable at start; publishing will retry per request');
    }
  }

  /**
   * Runs after the HTTP server closed: it stopped accepting connections and waited for the
   * requests in flight, so each publish has either been answered or is still awaited here.
   */
  async onApplicationShutdown(): Promise<void> {
    if (!(await this.publisher.drain(DRAIN_TIMEOUT_MS))) {
      this.logger.error(`publishes still in flight after ${DRAIN_TIMEOUT_MS} ms; disconnecting anyway, so their requests get no 202`);
    }
    await this.publisher.disconnect();
    this.logger.log('producer disconnected');
  }
}

@Module({})
export class IngestModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: IngestModule,
      controllers: [EventsController, HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: EventPublisher, useFactory: () => new EventPublisher(createKafka(config.kafka, 'ingest'), config.kafka.topic, new MessageSigner(config.kafka.signingKeys)) },
        {
          provide: IngestService,
          useFactory: (publisher: EventPublisher) => new IngestService(publisher, config.ingest.maxBatchEvents),
          inject: [EventPublisher],
        },
        apiKeyGuardProvider(config, 'ingest'),
        PublisherLifecycle,
        {
          provide: READINESS_CHECKS,
          useFactory: () => [kafkaReadinessCheck(createKafka(config.kafka, 'ingest-ready', { retry: { retries: 0 } }), config.kafka.topic)],
        },
      ],
    };
  }
}
