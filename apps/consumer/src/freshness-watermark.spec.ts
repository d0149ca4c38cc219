import { Logger } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { ClickHouseService } from '@gallery/clickhouse';
import { computeWatermark, FreshnessWatermarks } from './freshness-watermark';

describe('computeWatermark', () => {
  const margin = 2_000;

  it('uses the check time when caught up', () => {
    expect(computeWatermark({ committedOffset: 10, highWatermark: 10, checkedAtMs: 50_000 }, margin)).toBe(48_000);
  });

  it('treats an empty partition as caught up', () => {
    expect(computeWatermark({ committedOffset: 0, highWatermark: 0, checkedAtMs: 50_000 }, margin)).toBe(48_000);
  });

  it('stays below the last stored message when behind', () => {
    expect(computeWatermark({ committedOffset: 5, highWatermark: 10, checkedAtMs: 50_000, lastStoredTimestampMs: 40_000 }, margin)).toBe(37_999);
  });

  it('returns undefined when behind with nothing stored', () => {
    expect(computeWatermark({ committedOffset: 5, highWatermark: 10, checkedAtMs: 50_000 }, margin)).toBeUndefined();
  });
});

describe('FreshnessWatermarks.recordCommittedBatch', () => {
  type Row = { kafka_topic: string; kafka_partition: number; watermark_ms: number };

  /** Creates a ClickHouse stand-in whose inserts stay open until the test settles them. */
  function fakeClickHouse() {
    const inserts: Array<{ rows: Row[]; settle: (error?: Error) => void }> = [];
    const clickhouse = {
      insert: (_table: string, rows: Row[]) => new Promise<void>((resolve, reject) => inserts.push({ rows, settle: (error) => (error ? reject(error) : resolve()) })),
    };
    return { inserts, clickhouse: clickhouse as unknown as ClickHouseService };
  }

  const options = { topic: 'events', groupId: 'g', safetyMarginMs: 0, checkIntervalMs: 60_000 };
  const partitionsOf = (rows: Row[]) => rows.map((row) => [row.kafka_partition, row.watermark_ms]);

  it('shares one insert among batches committed during a write', async () => {
    const { inserts, clickhouse } = fakeClickHouse();
    const watermarks = new FreshnessWatermarks({} as Admin, clickhouse, options);
    const first = watermarks.recordCommittedBatch(0, 10, 1_001, 10);
    void watermarks.recordCommittedBatch(1, 20, 2_001, 20);
    void watermarks.recordCommittedBatch(2, 30, 3_001, 30);
    const last = watermarks.recordCommittedBatch(1, 25, 4_001, 25);
    expect(inserts).toHaveLength(1);
    expect(partitionsOf(inserts[0].rows)).toEqual([[0, 1_000]]);

    inserts[0].settle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(inserts).toHaveLength(2);
    expect(partitionsOf(inserts[1].rows)).toEqual([
      [1, 4_000],
      [2, 3_000],
    ]);
    inserts[1].settle();
    await expect(first).resolves.toBeUndefined();
    await expect(last).resolves.toBeUndefined();
  });

  it('logs a failed insert and writes the next watermarks', async () => {
    const { inserts, clickhouse } = fakeClickHouse();
    const watermarks = new FreshnessWatermarks({} as Admin, clickhouse, options);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const failed = watermarks.recordCommittedBatch(3, 10, 5_001, 10);
    inserts[0].settle(new Error('ClickHouse is down'));
    await expect(failed).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ partitions: [3] }), expect.stringContaining('partitions 3 failed'));

    void watermarks.recordCommittedBatch(3, 11, 6_001, 11);
    expect(partitionsOf(inserts[1].rows)).toEqual([[3, 6_000]]);
    inserts[1].settle();
    warn.mockRestore();
  });
});
