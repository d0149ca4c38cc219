import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Batch, Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { ClickHouseService, sql } from '@gallery/clickhouse';
import { BatchMessage, EVENT_BATCH_PATTERN, PartitionBatch, toBatchMessage, valueBytes } from './partition-batch';
import { ConsumerFault } from './consumer-fault';
import { batchRetriesTotal, batchSizeMessages } from './consumer.metrics';
import { FreshnessWatermarks } from './freshness-watermark';

export interface KafkaBatchTransportOptions {
  topic: string;
  groupId: string;
  /** Most bytes fetched per partition in one batch. */
  maxBytesPerPartition: number;
  /** Test-only fault injection; see consumer-fault.ts. */
  fault: ConsumerFault;
}

/**
 * Partition batches handled at the same time. It is above the partition count of the topic, so
 * the batches of one fetch reach the writer together and share one INSERT.
 */
const PARTITIONS_CONSUMED_CONCURRENTLY = 64;

/**
 * Most messages and most bytes of message values of one partition handed to the writer at once.
 * They bound the writer's memory, and the messages that an insert cut off by a crash can have left
 * half written (see `recheckBudget`). Those are checked the slow way after every assignment, which
 * is why a delivery is smaller than an insert: the batches of several partitions fill one insert.
 */
export const MAX_MESSAGES_PER_DELIVERY = 5_000;
export const MAX_BYTES_PER_DELIVERY = 1024 * 1024;

/** Most bytes of one fetch over all partitions. */
const MAX_FETCH_BYTES = 4 * 1024 * 1024;

/** Splits a partition's messages into deliveries within both limits, keeping their order. */
export function splitForDelivery(messages: readonly BatchMessage[]): BatchMessage[][] {
  const parts: BatchMessage[][] = [];
  let current: BatchMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.value?.length ?? 0;
    if (current.length > 0 && (current.length >= MAX_MESSAGES_PER_DELIVERY || bytes + size > MAX_BYTES_PER_DELIVERY)) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** Returns the kafkajs consumer settings of the transport. */
export function consumerConfig(options: Pick<KafkaBatchTransportOptions, 'groupId' | 'maxBytesPerPartition'>): ConsumerConfig {
  return {
    groupId: options.groupId,
    maxBytesPerPartition: options.maxBytesPerPartition,
    // At most this much is fetched at once over all partitions, which bounds the consumer's memory.
    maxBytes: MAX_FETCH_BYTES,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    // The broker waits up to 400 ms for this many bytes, so inserts stay large under moderate load.
    // It counts each partition's bytes only up to maxBytesPerPartition, so a larger minimum would
    // make every fetch wait the full 400 ms once only one or two partitions have a backlog.
    minBytes: Math.min(options.maxBytesPerPartition, MAX_FETCH_BYTES),
    maxWaitTimeInMs: 400,
  };
}

const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * A Nest microservice transport that reads the event topic in batches with kafkajs and hands
 * each partition batch to the handler registered for {@link EVENT_BATCH_PATTERN}.
 *
 * Exactly-once effect: offsets are committed only after the handler stored the batch, and on
 * (re)assignment each partition resumes after the highest offset ClickHouse already holds, so
 * a batch whose insert succeeded but whose commit was lost is skipped rather than written again.
 * A failing batch is retried with backoff, without committing, until it succeeds or the
 * partition is revoked.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaBatchTransport.name);
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Highest offset stored in ClickHouse per partition, loaded once per group generation. */
  private storedOffsets = new Map<number, number>();
  /**
   * Per partition, how much of what follows the stored offset read at assignment may belong to an
   * insert cut off before the partition was assigned here: at most one delivery. Deliveries that
   * start within it are marked `recheck`.
   */
  private recheckBudget = new Map<number, { messages: number; bytes: number }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly clickhouse: ClickHouseService,
    private readonly options: KafkaBatchTransportOptions,
    private readonly watermarks: FreshnessWatermarks,
  ) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    const consumer = this.kafka.consumer(consumerConfig(this.options));
    this.consumer = consumer;

    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Partitions may have moved: positions known from before the rebalance are reloaded.
      this.storedOffsets = new Map();
      this.recheckBudget = new Map();
      this.logger.log({ member_assignment: event.payload.memberAssignment }, `joined consumer group ${this.options.groupId}`);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.error({ err: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });

    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are independent (a collection lives in one), so the batches of all partitions
      // are handled at once and the writer stores them with one INSERT.
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.watermarks.start();
    this.logger.log(`consuming ${this.options.topic} as group ${this.options.groupId}`);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const lastOffset = Number(batch.lastOffset());
    const stillOwned = () => isRunning() && !isStale() && !this.stopping;
    const storedUpTo = await this.storedOffsetWithRetry(topic, partition, heartbeat, stillOwned);
    if (storedUpTo === undefined) return;

    const messages: BatchMessage[] = batch.messages
      .filter((message) => Number(message.offset) > storedUpTo)
      .map(toBatchMessage);
    const skipped = batch.messages.length - messages.length;
    if (skipped > 0) {
      this.logger.log({ topic, partition, stored_up_to: storedUpTo, skipped }, `skipping ${skipped} message(s) already stored in ClickHouse`);
    }

    const parts = splitForDelivery(messages);
    for (const [index, part] of parts.entries()) {
      const recheck = this.spendRecheckBudget(partition, part);
      batchSizeMessages.observe(part.length);
      const stored = await this.deliverWithRetry({ topic, partition, messages: part, recheck }, batch, heartbeat, stillOwned);
      if (!stored) return;
      const partLast = part[part.length - 1].offset;
      this.storedOffsets.set(partition, partLast);
      if (index < parts.length - 1) await this.commit(topic, partition, partLast, resolveOffset);
    }
    await this.commit(topic, partition, lastOffset, resolveOffset);
    await heartbeat();

    // The watermark is written in the background, so the next fetch does not wait for ClickHouse.
    const lastTimestamp = Number(batch.messages[batch.messages.length - 1].timestamp);
    void this.watermarks.recordCommittedBatch(partition, lastOffset + 1, lastTimestamp, Number(batch.highWatermark));
  }

  /** Tells whether a delivery starts within the partition's recheck budget, and spends the budget on it. */
  private spendRecheckBudget(partition: number, part: readonly BatchMessage[]): boolean {
    const budget = this.recheckBudget.get(partition);
    if (!budget || budget.messages <= 0 || budget.bytes <= 0) return false;
    budget.messages -= part.length;
    budget.bytes -= valueBytes(part);
    return true;
  }

  /** Marks `offset` processed and commits the position after it. */
  private async commit(topic: string, partition: number, offset: number, resolveOffset: (offset: string) => void): Promise<void> {
    resolveOffset(String(offset));
    if (this.options.fault.kind === 'drop-commits') {
      this.logger.warn({ topic, partition, offset: offset + 1 }, `CONSUMER_FAULT: dropping the commit of ${topic}/${partition} offset ${offset + 1}`);
      return;
    }
    await (this.consumer as Consumer).commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
  }

  /** Calls the handler until it succeeds; returns false when the partition is no longer ours. */
  private async deliverWithRetry(
    partitionBatch: PartitionBatch,
    batch: Batch,
    heartbeat: () => Promise<void>,
    stillOwned: () => boolean,
  ): Promise<boolean> {
    const handler = this.getHandlerByPattern(EVENT_BATCH_PATTERN);
    if (!handler) throw new Error(`no handler registered for ${EVENT_BATCH_PATTERN}`);
    const first = partitionBatch.messages[0].offset;
    const last = partitionBatch.messages[partitionBatch.messages.length - 1].offset;

    for (let attempt = 1, backoff = INITIAL_BACKOFF_MS; ; attempt++, backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        const started = Date.now();
        // A retry may follow an insert that failed after writing part of the batch.
        const delivered = attempt > 1 ? { ...partitionBatch, recheck: true } : partitionBatch;
        const outcome = await lastValueFrom(this.transformToObservable(await handler(delivered)), { defaultValue: undefined });
        this.logger.log(
          { topic: batch.topic, partition: batch.partition, first_offset: first, last_offset: last, outcome, ms: Date.now() - started },
          `stored ${batch.topic}/${batch.partition} offsets ${first}-${last}`,
        );
        return true;
      } catch (error) {
        batchRetriesTotal.inc({ topic: batch.topic, partition: String(batch.partition) });
        this.logger.error(
          { err: error, topic: batch.topic, partition: batch.partition, first_offset: first, last_offset: last, attempt, retry_in_ms: backoff },
          `storing ${batch.topic}/${batch.partition} offsets ${first}-${last} failed (attempt ${attempt}); retrying in ${backoff} ms without committing`,
        );
      }
      if (!(await this.waitToRetry(backoff, batch.partition, heartbeat, stillOwned))) {
        this.logger.warn({ topic: batch.topic, partition: batch.partition, first_offset: first }, 'partition revoked or consumer stopping; abandoning the batch uncommitted');
        return false;
      }
    }
  }

  /** Waits `backoffMs` while sending heartbeats; returns false as soon as the partition is no longer ours. */
  private async waitToRetry(backoffMs: number, partition: number, heartbeat: () => Promise<void>, stillOwned: () => boolean): Promise<boolean> {
    const deadline = Date.now() + backoffMs;
    while (Date.now() < deadline) {
      if (!stillOwned()) return false;
      await heartbeat().catch((error: unknown) => this.logger.warn({ err: error, partition }, 'heartbeat failed while waiting to retry'));
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, deadline - Date.now()))));
    }
    return true;
  }

  /**
   * Reads the stored offset, retrying with backoff while ClickHouse is unreachable; returns
   * undefined when the partition is revoked or the consumer stops meanwhile.
   */
  private async storedOffsetWithRetry(topic: string, partition: number, heartbeat: () => Promise<void>, stillOwned: () => boolean): Promise<number | undefined> {
    for (let attempt = 1, backoff = INITIAL_BACKOFF_MS; ; attempt++, backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        return await this.storedOffset(topic, partition);
      } catch (error) {
        batchRetriesTotal.inc({ topic, partition: String(partition) });
        this.logger.error(
          { err: error, topic, partition, attempt, retry_in_ms: backoff },
          `reading the stored offset of ${topic}/${partition} from kafka_progress failed (attempt ${attempt}); retrying in ${backoff} ms`,
        );
      }
      if (!(await this.waitToRetry(backoff, partition, heartbeat, stillOwned))) return undefined;
    }
  }

  private async storedOffset(topic: string, partition: number): Promise<number> {
    const known = this.storedOffsets.get(partition);
    if (known !== undefined) return known;
    const rows = await this.clickhouse.query<{ stored_offset: string }>(sql`
      SELECT max(max_offset) AS stored_offset, count() AS n
      FROM kafka_progress
      WHERE kafka_topic = ${topic} AND kafka_partition = ${partition}
      HAVING n > 0
    `);
    const offset = rows.length > 0 ? Number(rows[0].stored_offset) : -1;
    this.storedOffsets.set(partition, offset);
    this.recheckBudget.set(partition, { messages: MAX_MESSAGES_PER_DELIVERY, bytes: MAX_BYTES_PER_DELIVERY });
    return offset;
  }

  /**
   * Stops consuming. kafkajs waits for the batch in progress: a batch being written finishes and
   * is committed, and a batch waiting to retry is abandoned uncommitted.
   */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.consumer) {
      await this.consumer.disconnect();
      this.logger.log('Kafka consumer disconnected');
    }
    await this.watermarks.stop();
  }

  on(): never {
    throw new Error('KafkaBatchTransport does not support event listeners');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaBatchTransport is not started');
    return this.consumer as T;
  }
}
