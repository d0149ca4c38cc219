import { Injectable } from '@nestjs/common';
import { ClickHouseService, sql } from '@gallery/clickhouse';

/**
 * How long one watermark read is reused, in milliseconds. Watermarks only grow, so a reused value
 * is still a time up to which every accepted event is stored, at most this much older than a new read.
 */
export const WATERMARK_REUSE_MS = 1000;

/**
 * Reads the freshness watermark: the time up to which every accepted event is stored, which is
 * the earliest of the per-partition watermarks the consumer records.
 */
@Injectable()
export class WatermarkRepository {
  /** The latest read and when it started. Concurrent requests share a read in flight. */
  private cached: { startedMs: number; watermark: Promise<number | null> } | undefined;

  constructor(
    private readonly clickhouse: ClickHouseService,
    private readonly topic: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Unix ms, or null while the consumer has recorded none for the topic. Reuses a read started less
   * than {@link WATERMARK_REUSE_MS} ago, so each request does not run its own statement. A failed
   * read is not reused.
   */
  async completeThrough(): Promise<number | null> {
    const nowMs = this.now();
    if (this.cached === undefined || nowMs - this.cached.startedMs >= WATERMARK_REUSE_MS) {
      const watermark = this.read();
      this.cached = { startedMs: nowMs, watermark };
      watermark.catch(() => {
        if (this.cached?.watermark === watermark) this.cached = undefined;
      });
    }
    return this.cached.watermark;
  }

  private async read(): Promise<number | null> {
    const rows = await this.clickhouse.query<{ watermark: string; partitions: string }>(sql`
      SELECT min(partition_watermark) AS watermark, count() AS partitions
      FROM (
        SELECT kafka_partition, max(watermark_ms) AS partition_watermark
        FROM ingest_watermarks
        WHERE kafka_topic = ${this.topic}
        GROUP BY kafka_partition
      )
    `);
    if (rows.length === 0 || Number(rows[0].partitions) === 0) return null;
    return Number(rows[0].watermark);
  }
}
