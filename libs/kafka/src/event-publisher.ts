import { Logger } from '@nestjs/common';
import { CompressionTypes, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { EventEnvelope, partitionKey } from '@gallery/contract';

/** Most bytes of message values coalesced into one send; a larger single request goes alone. */
const MAX_COALESCED_BYTES = 1024 * 1024;

interface PendingPublish {
  messages: Message[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function toMessage(envelope: EventEnvelope): Message {
  return {
    key: partitionKey(envelope.account_id, envelope.event.collection_id),
    value: JSON.stringify(envelope),
    headers: { event_type: envelope.event.type, event_id: envelope.event.event_id },
  };
}

/**
 * Publishes event envelopes with an idempotent producer. `send` resolves only after every
 * in-sync replica acknowledged the write (acks = -1), so a resolved publish is durable.
 *
 * Concurrent publishes are coalesced: while one send is in flight, the envelopes of every request
 * that arrives meanwhile wait and go out together in the next send, up to about 1 MiB. With one
 * request in flight per broker (which idempotence needs in kafkajs) this turns many small
 * round trips into few large ones. Every caller still resolves only after its own envelopes were
 * acknowledged, and all callers of a failed send get the error.
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
  private readonly waiting: PendingPublish[] = [];
  private sending = false;

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

  /** Publishes envelopes, keyed by account and collection; resolves once Kafka acknowledged them. */
  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    const messages = envelopes.map(toMessage);
    const bytes = messages.reduce((sum, message) => sum + Buffer.byteLength(message.value as string), 0);
    const sending = new Promise<void>((resolve, reject) => this.waiting.push({ messages, bytes, resolve, reject }));
    this.pump();
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

  /** Sends everything waiting, in sends of at most {@link MAX_COALESCED_BYTES}, one at a time. */
  private pump(): void {
    if (this.sending || this.waiting.length === 0) return;
    this.sending = true;

    const batch: PendingPublish[] = [];
    let bytes = 0;
    while (this.waiting.length > 0 && (batch.length === 0 || bytes + this.waiting[0].bytes <= MAX_COALESCED_BYTES)) {
      const next = this.waiting.shift() as PendingPublish;
      batch.push(next);
      bytes += next.bytes;
    }

    this.send(batch.flatMap((pending) => pending.messages)).then(
      () => batch.forEach((pending) => pending.resolve()),
      (error: unknown) => batch.forEach((pending) => pending.reject(error)),
    ).finally(() => {
      this.sending = false;
      this.pump();
    });
  }

  private async send(messages: Message[]): Promise<void> {
    const producer = await this.connectedProducer();
    try {
      await producer.send({ topic: this.topic, acks: -1, timeout: 10_000, compression: CompressionTypes.None, messages });
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
      // request fails with 503 within seconds when Kafka is down. The producer then retries with
      // the same event ids, which the consumer stores once.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    producer.on('producer.disconnect', () => {
      if (this.producer === producer) this.producer = undefined;
    });
    return producer;
  }
}
