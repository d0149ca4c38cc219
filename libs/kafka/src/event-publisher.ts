import { Logger } from '@nestjs/common';
import { CompressionTypes, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { EventEnvelope, partitionKey } from '@gallery/contract';
import { MessageSigner, SIGNATURE_HEADER } from './message-signature';

/** Most bytes of message values coalesced into one Kafka request; a larger single send goes alone. */
const MAX_COALESCED_BYTES = 1024 * 1024;

/**
 * Most bytes of events in one message. It keeps a message well under the broker's default limit
 * of 1 MiB per record batch (`message.max.bytes`).
 */
export const MAX_MESSAGE_EVENT_BYTES = 256 * 1024;

/**
 * Bytes that must be waiting before a second lane starts a send while another is in flight. Below
 * it, sends wait for the busy lane and then go out together, because a Kafka request costs kafkajs
 * and the broker far more than its bytes. A request of 100 of the benchmark's events (33–36 KB of
 * messages) is above it, so it takes an idle lane at once.
 */
const MIN_BYTES_FOR_ANOTHER_LANE = 32 * 1024;

const PARTITION_COUNT_REFRESH_MS = 60_000;

interface PendingPublish {
  messages: Message[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const MURMUR2_SEED = 0x9747b28c;
const MURMUR2_M = 0x5bd1e995;

/**
 * Computes Kafka's murmur2 hash of a key's UTF-8 bytes as a signed 32-bit integer. kafkajs gets
 * the same value from 64-bit emulation, whose products have these low 32 bits. That emulation
 * cost more CPU than the rest of building the messages.
 */
export function murmur2(key: string): number {
  const data = Buffer.from(key, 'utf8');
  const length = data.length;
  let h = (MURMUR2_SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, MURMUR2_M);
    k ^= k >>> 24;
    k = Math.imul(k, MURMUR2_M);
    h = Math.imul(h, MURMUR2_M) ^ k;
  }
  // The last one to three bytes.
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole], MURMUR2_M);
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR2_M);
  h ^= h >>> 15;
  return h | 0;
}

/** Maps a message key to its partition exactly as the producer's default (murmur2) partitioner does. */
export function partitionOf(key: string, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

/** Events bound for one message, as JSON text, and what the message needs besides them. */
interface MessageDraft {
  partition: number;
  key: string;
  envelope: EventEnvelope;
  events: string[];
  bytes: number;
}

/** Messages ready to send, and the bytes of their values. */
export interface EncodedMessages {
  messages: Message[];
  bytes: number;
}

/**
 * Turns envelopes into as few messages as possible: one per partition, account and receive time,
 * each holding at most {@link MAX_MESSAGE_EVENT_BYTES} of events. An event goes to the partition
 * its own key (account and collection) maps to, so every event of a collection stays in one
 * partition and in order. The message key is the key of its first event.
 *
 * Values are UTF-8 buffers. They are encoded here once, so the byte count needs no second pass,
 * and a request's parsed events need not live on until Kafka acknowledges the messages. With a
 * signer that has a key, each message carries its signature in the {@link SIGNATURE_HEADER}
 * header.
 */
export function toMessages(envelopes: readonly EventEnvelope[], partitionCount: number, signer?: MessageSigner): EncodedMessages {
  const drafts: MessageDraft[] = [];
  // The drafts still being filled, by account and receive time, then by partition. A request's
  // events share both, so this is usually one map.
  const open = new Map<string, Map<number, MessageDraft>>();
  // A request often contains many events of one collection, whose key and partition are computed once.
  const partitions = new Map<string, Map<string, { key: string; partition: number }>>();
  let lastOrigin: { account: string; receivedAt: string; drafts: Map<number, MessageDraft> } | undefined;

  for (const envelope of envelopes) {
    const { account_id: account, received_at: receivedAt, event } = envelope;
    if (lastOrigin?.account !== account || lastOrigin.receivedAt !== receivedAt) {
      const originKey = `${account}\u0000${receivedAt}`;
      let byPartition = open.get(originKey);
      if (!byPartition) open.set(originKey, (byPartition = new Map()));
      lastOrigin = { account, receivedAt, drafts: byPartition };
    }

    let ofAccount = partitions.get(account);
    if (!ofAccount) partitions.set(account, (ofAccount = new Map()));
    let target = ofAccount.get(event.collection_id);
    if (!target) {
      const key = partitionKey(account, event.collection_id);
      target = { key, partition: partitionOf(key, partitionCount) };
      ofAccount.set(event.collection_id, target);
    }

    const text = JSON.stringify(event);
    const bytes = Buffer.byteLength(text) + 1;
    let draft = lastOrigin.drafts.get(target.partition);
    if (!draft || draft.bytes + bytes > MAX_MESSAGE_EVENT_BYTES) {
      draft = { partition: target.partition, key: target.key, envelope, events: [], bytes: 0 };
      lastOrigin.drafts.set(target.partition, draft);
      drafts.push(draft);
    }
    draft.events.push(text);
    draft.bytes += bytes;
  }
  let total = 0;
  const messages = drafts.map(({ partition, key, envelope, events }): Message => {
    const value = Buffer.from(`{"account_id":${JSON.stringify(envelope.account_id)},"received_at":${JSON.stringify(envelope.received_at)},"events":[${events.join(',')}]}`, 'utf8');
    total += value.length;
    const signature = signer?.sign(value);
    return signature === undefined ? { partition, key, value } : { partition, key, value, headers: { [SIGNATURE_HEADER]: signature } };
  });
  return { messages, bytes: total };
}

/** Idempotent producers sending at the same time; each keeps one request in flight. */
export const PRODUCER_LANES = 3;

/**
 * One idempotent producer with at most one send in flight, which idempotence needs in kafkajs.
 * After a failed send the producer is dropped and the next send connects a new one. A new
 * producer gets a new producer id from the broker, so sequence numbers left unsettled by the
 * failure (for example across a broker restart) cannot make every later send fail.
 */
class ProducerLane {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  busy = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  get isConnected(): boolean {
    return this.producer !== undefined;
  }

  async send(messages: Message[]): Promise<void> {
    const producer = await this.connected();
    try {
      await producer.send({ topic: this.topic, acks: -1, timeout: 10_000, compression: CompressionTypes.None, messages });
    } catch (error) {
      this.discard(producer);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer ?? (await this.connecting?.catch(() => undefined));
    this.producer = undefined;
    await producer?.disconnect();
  }

  connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const producer = this.create();
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

  /** Drops a producer whose send failed; the next send connects a new one. */
  private discard(producer: Producer): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    this.logger.warn(`dropping a Kafka producer after a failed send to ${this.topic}; the next send connects a new one`);
    producer.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'disconnecting the failed Kafka producer failed'));
  }

  private create(): Producer {
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

/**
 * Publishes event envelopes in two steps: {@link encode} groups them into messages, and
 * {@link send} resolves only after every in-sync replica acknowledged the write (acks = -1), so a
 * resolved send is durable. Between the two, the caller can let go of the envelopes.
 *
 * Sends go out through {@link PRODUCER_LANES} idempotent producers, each with one request in
 * flight. Sends that find no lane to take them wait and go out together in the next Kafka request,
 * up to about 1 MiB, which turns many small round trips into few large ones. A second lane starts
 * while another is busy only when enough bytes wait, so large requests overlap their round trips
 * and small ones share them.
 *
 * Every caller still resolves only after its own envelopes were acknowledged, and all callers of
 * a failed send get the error. Requests in flight at the same time have no order between them,
 * so sending them through different producers loses no ordering a producer could observe: a
 * request posted after another was acknowledged is appended after it.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly lanes: ProducerLane[];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly waiting: PendingPublish[] = [];
  private waitingBytes = 0;
  private partitions: Promise<number> | undefined;
  private partitionsReadAt = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly signer: MessageSigner = new MessageSigner([]),
  ) {
    this.lanes = Array.from({ length: PRODUCER_LANES }, () => new ProducerLane(kafka, topic, this.logger));
  }

  async connect(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.connected()));
    await this.partitionCount();
  }

  get isConnected(): boolean {
    return this.lanes.some((lane) => lane.isConnected);
  }

  /** The id of the key that signs messages, or undefined when they go out unsigned. */
  get signingKeyId(): string | undefined {
    return this.signer.signingKeyId;
  }

  /** Groups envelopes into messages for this topic's partitions (see {@link toMessages}). */
  async encode(envelopes: readonly EventEnvelope[]): Promise<EncodedMessages> {
    return toMessages(envelopes, await this.partitionCount(), this.signer);
  }

  /** Sends encoded messages; resolves once Kafka acknowledged all of them. */
  async send({ messages, bytes }: EncodedMessages): Promise<void> {
    const sending = new Promise<void>((resolve, reject) => this.waiting.push({ messages, bytes, resolve, reject }));
    this.waitingBytes += bytes;
    this.pump();
    this.inFlight.add(sending);
    try {
      await sending;
    } finally {
      this.inFlight.delete(sending);
    }
  }

  /** Waits until every send in flight has settled, for at most `timeoutMs`; returns whether they all did. */
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
    await Promise.all(this.lanes.map((lane) => lane.disconnect()));
  }

  /**
   * Hands what is waiting to idle lanes, each Kafka request at most {@link MAX_COALESCED_BYTES}.
   * While a lane is busy, another starts only for at least {@link MIN_BYTES_FOR_ANOTHER_LANE}.
   */
  private pump(): void {
    for (const lane of this.lanes) {
      if (this.waiting.length === 0) return;
      if (lane.busy) continue;
      if (this.waitingBytes < MIN_BYTES_FOR_ANOTHER_LANE && this.lanes.some((other) => other.busy)) return;
      lane.busy = true;

      const batch: PendingPublish[] = [];
      let bytes = 0;
      while (this.waiting.length > 0 && (batch.length === 0 || bytes + this.waiting[0].bytes <= MAX_COALESCED_BYTES)) {
        const next = this.waiting.shift() as PendingPublish;
        batch.push(next);
        bytes += next.bytes;
      }
      this.waitingBytes -= bytes;

      lane
        .send(batch.flatMap((pending) => pending.messages))
        .then(
          () => batch.forEach((pending) => pending.resolve()),
          (error: unknown) => batch.forEach((pending) => pending.reject(error)),
        )
        .finally(() => {
          lane.busy = false;
          this.pump();
        });
    }
  }

  /**
   * Returns the topic's partition count. The first encode waits for it. Afterwards it is read
   * again in the background once a minute, so later encodes do not wait for the cluster.
   */
  private async partitionCount(): Promise<number> {
    if (this.partitions === undefined) {
      this.partitions = this.readPartitionCount().catch((error: unknown) => {
        this.partitions = undefined;
        throw error;
      });
      this.partitionsReadAt = Date.now();
      return this.partitions;
    }
    const known = await this.partitions;
    if (Date.now() - this.partitionsReadAt > PARTITION_COUNT_REFRESH_MS) {
      this.partitionsReadAt = Date.now();
      this.readPartitionCount().then(
        (count) => {
          if (count !== known) this.logger.log(`topic ${this.topic} now has ${count} partitions (was ${known})`);
          this.partitions = Promise.resolve(count);
        },
        (error: unknown) => this.logger.warn({ err: error, topic: this.topic }, `reading the partition count of ${this.topic} failed; keeping ${known}`),
      );
    }
    return known;
  }

  private async readPartitionCount(): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [this.topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count < 1) throw new Error(`topic ${this.topic} has no partitions`);
      return count;
    } finally {
      await admin.disconnect();
    }
  }
}
