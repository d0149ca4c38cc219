import { Logger } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { ClickHouseService } from '@gallery/clickhouse';
import { consumerLagMessages, watermarkMilliseconds } from './consumer.metrics';

export interface FreshnessWatermarkOptions {
  topic: string;
  groupId: string;
  /** Subtracted from every watermark for clock differences between broker and consumer, in ms. */
  safetyMarginMs: number;
  /** How often committed offsets are compared with the high watermarks, in ms. */
  checkIntervalMs: number;
}

/** What the consumer knows about one partition when it computes a watermark. */
export interface PartitionPosition {
  /** The group's committed offset: the next offset to read. */
  committedOffset: number;
  /** The partition's high watermark (end offset), read at `checkedAtMs`. */
  highWatermark: number;
  /** When the high watermark was requested, in Unix ms on the consumer's clock. */
  checkedAtMs: number;
  /** Kafka timestamp of the last message this process stored from the partition, if any. */
  lastStoredTimestampMs?: number;
}

/**
 * Computes the freshness watermark of a partition: a time T such that every message with a Kafka
 * timestamp <= T is stored. A partition read up to its high watermark is complete up to the
 * moment the high watermark was requested. Otherwise only messages older than the last stored one
 * are known to be stored, which holds because the event topic uses broker append time, so
 * timestamps do not decrease along a partition. Returns undefined when nothing can be said.
 */
export function computeWatermark(position: PartitionPosition, safetyMarginMs: number): number | undefined {
  if (position.committedOffset >= position.highWatermark) return position.checkedAtMs - safetyMarginMs;
  if (position.lastStoredTimestampMs === undefined) return undefined;
  // A later message may carry the same millisecond, so the last stored one's time is not complete.
  return position.lastStoredTimestampMs - 1 - safetyMarginMs;
}

/**
 * Writes freshness watermarks per partition to the ClickHouse table `ingest_watermarks` (a
 * ReplacingMergeTree keyed by topic and partition, read with max(watermark_ms)): after committed
 * batches and every `checkIntervalMs`, so partitions without messages get rows too. A watermark
 * never moves backwards. It also updates the consumer lag gauge from the same check.
 */
export class FreshnessWatermarks {
  private readonly logger = new Logger(FreshnessWatermarks.name);
  private readonly written = new Map<number, number>();
  private readonly lastStoredTimestamps = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  /** Watermarks of committed batches not yet written, by partition. */
  private queued = new Map<number, number>();
  /** The loop writing queued watermarks, while one runs. */
  private writingQueued: Promise<void> | undefined;
  private failingSince: number | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly clickhouse: ClickHouseService,
    private readonly options: FreshnessWatermarkOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.checking) this.checking = this.check().finally(() => (this.checking = undefined));
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await this.writingQueued;
    await this.admin.disconnect().catch(() => undefined);
  }

  /**
   * Records a committed batch whose last message has this Kafka timestamp. Its watermark is written
   * in the background, with at most one insert at a time. Watermarks of batches committed meanwhile
   * wait and share the next insert, so the consumer does not wait for ClickHouse here and writes one
   * row per partition and insert, not per batch. The returned promise settles when the watermark is
   * written or its failed write was logged; it never rejects.
   */
  recordCommittedBatch(partition: number, committedOffset: number, lastTimestampMs: number, highWatermark: number): Promise<void> {
    this.lastStoredTimestamps.set(partition, Math.max(lastTimestampMs, this.lastStoredTimestamps.get(partition) ?? 0));
    consumerLagMessages.set({ topic: this.options.topic, partition: String(partition) }, Math.max(0, highWatermark - committedOffset));
    // The fetch time of the batch is unknown, so the caught-up rule waits for the next check.
    const watermark = computeWatermark(
      { committedOffset, highWatermark: Number.MAX_SAFE_INTEGER, checkedAtMs: 0, lastStoredTimestampMs: this.lastStoredTimestamps.get(partition) },
      this.options.safetyMarginMs,
    );
    if (watermark === undefined) return this.writingQueued ?? Promise.resolve();
    this.queued.set(partition, Math.max(watermark, this.queued.get(partition) ?? 0));
    this.writingQueued ??= this.writeQueued().finally(() => (this.writingQueued = undefined));
    return this.writingQueued;
  }

  /** Writes queued watermarks until none are left; a failed insert is logged, and the next check writes them again. */
  private async writeQueued(): Promise<void> {
    while (this.queued.size > 0) {
      const watermarks = this.queued;
      this.queued = new Map();
      try {
        await this.write(watermarks);
      } catch (error) {
        this.logger.warn(
          { err: error, topic: this.options.topic, partitions: [...watermarks.keys()] },
          `writing the freshness watermarks of ${this.options.topic} partitions ${[...watermarks.keys()].join(', ')} failed; the next check writes them again`,
        );
      }
    }
  }

  /** Compares committed offsets with high watermarks and writes the watermarks that moved. */
  async check(): Promise<void> {
    try {
      const checkedAtMs = Date.now();
      // High watermarks first: committed offsets read afterwards can only be larger, which is safe.
      const ends = await this.admin.fetchTopicOffsets(this.options.topic);
      const [committed] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] });
      const watermarks = new Map<number, number>();
      for (const end of ends) {
        const entry = committed?.partitions.find((partition) => partition.partition === end.partition);
        const committedOffset = entry && Number(entry.offset) >= 0 ? Number(entry.offset) : Number(end.low);
        const highWatermark = Number(end.high);
        consumerLagMessages.set({ topic: this.options.topic, partition: String(end.partition) }, Math.max(0, highWatermark - committedOffset));
        const watermark = computeWatermark(
          { committedOffset, highWatermark, checkedAtMs, lastStoredTimestampMs: this.lastStoredTimestamps.get(end.partition) },
          this.options.safetyMarginMs,
        );
        if (watermark !== undefined) watermarks.set(end.partition, watermark);
      }
      await this.write(watermarks);
      if (this.failingSince !== undefined) {
        this.logger.log(`freshness watermark check works again after failing for ${Date.now() - this.failingSince} ms`);
        this.failingSince = undefined;
      }
    } catch (error) {
      // Logged once per outage: the check runs every few seconds and the batch retries log the cause too.
      if (this.failingSince === undefined) {
        this.failingSince = Date.now();
        this.logger.warn({ err: error, topic: this.options.topic }, 'freshness watermark check failed; retrying on the next check, watermarks stay where they are');
      }
    }
  }

  private async write(candidates: Map<number, number>): Promise<void> {
    const rows: { kafka_topic: string; kafka_partition: number; watermark_ms: number }[] = [];
    for (const [partition, watermark] of candidates) {
      if (watermark <= (this.written.get(partition) ?? 0)) continue;
      rows.push({ kafka_topic: this.options.topic, kafka_partition: partition, watermark_ms: watermark });
    }
    if (rows.length === 0) return;
    await this.clickhouse.insert('ingest_watermarks', rows);
    for (const row of rows) {
      this.written.set(row.kafka_partition, row.watermark_ms);
      watermarkMilliseconds.set({ topic: row.kafka_topic, partition: String(row.kafka_partition) }, row.watermark_ms);
    }
  }
}
