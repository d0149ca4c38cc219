import { Logger } from '@nestjs/common';
import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { EventEnvelope, partitionKey } from '@gallery/contract';

/**
 * Publishes event envelopes with an idempotent producer. `send` resolves only after every
 * in-sync replica acknowledged the write (acks = -1), so a resolved publish is durable.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      // kafkajs keeps sequence numbers in order only with one request in flight per broker.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner, so other producers put a key on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      // NOTE: kafkajs warns that bounded retries may break idempotence. They are bounded so that a
      // request fails with 503 within seconds when Kafka is down; the producer then retries with
      // the same event ids, which the consumer stores once.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    this.producer.on('producer.disconnect', () => {
      this.connected = false;
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
    this.logger.log(`producer connected, topic ${this.topic}`);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Publishes envelopes in one request; they are keyed by account and collection. */
  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (!this.connected) await this.connect();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      timeout: 10_000,
      compression: CompressionTypes.None,
      messages: envelopes.map((envelope) => ({
        key: partitionKey(envelope.account_id, envelope.event.collection_id),
        value: JSON.stringify(envelope),
        headers: { event_type: envelope.event.type, event_id: envelope.event.event_id },
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }
}
