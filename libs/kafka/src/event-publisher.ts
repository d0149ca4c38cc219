import { Logger } from '@nestjs/common';
import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { EventEnvelope, partitionKey } from '@gallery/contract';

/**
 * Publishes event envelopes with an idempotent producer. `send` resolves only after every
 * in-sync replica acknowledged the write (acks = -1), so a resolved publish is durable.
 *
 * After a failed send the producer is dropped and the next publish creates a new one. A new
 * producer gets a new producer id from the broker, so sequence numbers left unsettled by the
 * failure (for example across a broker restart) cannot make every later send fail.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async connect(): Promise<void> {
    await this.connectedProducer();
  }

  get isConnected(): boolean {
    return this.producer !== undefined;
  }

  /** Publishes envelopes in one request; they are keyed by account and collection. */
  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    const sending = this.send(envelopes);
    this.inFlight.add(sending);
    try {
      await sending;
    } finally {
      this.inFlight.delete(sending);
    }
  }

  /** Waits until every publish in flight has settled, for at most `timeoutMs`; returns whether they all did. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = Promise.allSettled([...this.inFlight]).then(() => true as const);
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer ?? (await this.connecting?.catch(() => undefined));
    this.producer = undefined;
    await producer?.disconnect();
  }

  private async send(envelopes: readonly EventEnvelope[]): Promise<void> {
    const producer = await this.connectedProducer();
    try {
      await producer.send({
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
    } catch (error) {
      this.discard(producer);
      throw error;
    }
  }

  private connectedProducer(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const producer = this.createProducer();
      this.connecting = producer.connect().then(
        () => {
          this.producer = producer;
          this.connecting = undefined;
          this.logger.log(`producer connected, topic ${this.topic}`);
          return producer;
        },
        (error: unknown) => {
          this.connecting = undefined;
          void producer.disconnect().catch(() => undefined);
          throw error;
        },
      );
    }
    return this.connecting;
  }

  /** Drops a producer whose send failed; later publishes connect a new one. */
  private discard(producer: Producer): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    this.logger.warn(`dropping the Kafka producer after a failed send to ${this.topic}; the next publish connects a new one`);
    producer.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'disconnecting the failed Kafka producer failed'));
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
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
    producer.on('producer.disconnect', () => {
      if (this.producer === producer) this.producer = undefined;
    });
    return producer;
  }
}
