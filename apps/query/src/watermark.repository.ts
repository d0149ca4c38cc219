import { Injectable } from '@nestjs/common';
import { ClickHouseService, sql } from '@gallery/clickhouse';

/**
 * Reads the freshness watermark: the time up to which every accepted event is stored, which is
 * the earliest of the per-partition watermarks the consumer records.
 */
@Injectable()
export class WatermarkRepository {
  constructor(
    private readonly clickhouse: ClickHouseService,
    private readonly topic: string,
  ) {}

  /** Unix ms, or null while the consumer has recorded none for the topic. */
  async completeThrough(): Promise<number | null> {
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
