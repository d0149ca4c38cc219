import { ClickHouseService } from '@gallery/clickhouse';
import { WATERMARK_REUSE_MS, WatermarkRepository } from './watermark.repository';

type Row = { watermark: string; partitions: string };

/** A ClickHouse stand-in that returns the queued results in order and counts the statements. */
function fakeClickHouse(results: Array<Row[] | Error>) {
  const fake = {
    statements: 0,
    async query(): Promise<Row[]> {
      fake.statements++;
      const next = results.shift();
      if (next === undefined) throw new Error('no result queued');
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return fake;
}

function repositoryWith(results: Array<Row[] | Error>) {
  const clickhouse = fakeClickHouse(results);
  const clock = { ms: 1_000_000 };
  const repository = new WatermarkRepository(clickhouse as unknown as ClickHouseService, 'events', () => clock.ms);
  return { repository, clickhouse, clock };
}

describe('WatermarkRepository', () => {
  it('returns the minimum over partitions', async () => {
    const { repository } = repositoryWith([[{ watermark: '1700000000000', partitions: '3' }]]);
    expect(await repository.completeThrough()).toBe(1_700_000_000_000);
  });

  it('returns null without partitions', async () => {
    const { repository } = repositoryWith([[{ watermark: '0', partitions: '0' }]]);
    expect(await repository.completeThrough()).toBeNull();
  });

  it('reuses a read within the reuse window', async () => {
    const { repository, clickhouse, clock } = repositoryWith([[{ watermark: '100', partitions: '1' }]]);
    expect(await repository.completeThrough()).toBe(100);
    clock.ms += WATERMARK_REUSE_MS - 1;
    expect(await repository.completeThrough()).toBe(100);
    expect(clickhouse.statements).toBe(1);
  });

  it('reads again after the reuse window', async () => {
    const { repository, clickhouse, clock } = repositoryWith([
      [{ watermark: '100', partitions: '1' }],
      [{ watermark: '200', partitions: '1' }],
    ]);
    expect(await repository.completeThrough()).toBe(100);
    clock.ms += WATERMARK_REUSE_MS;
    expect(await repository.completeThrough()).toBe(200);
    expect(clickhouse.statements).toBe(2);
  });

  it('shares a read in flight', async () => {
    const { repository, clickhouse } = repositoryWith([[{ watermark: '100', partitions: '1' }]]);
    const results = await Promise.all([repository.completeThrough(), repository.completeThrough()]);
    expect(results).toEqual([100, 100]);
    expect(clickhouse.statements).toBe(1);
  });

  it('does not reuse a failed read', async () => {
    const { repository, clickhouse } = repositoryWith([new Error('connection refused'), [{ watermark: '100', partitions: '1' }]]);
    await expect(repository.completeThrough()).rejects.toThrow('connection refused');
    expect(await repository.completeThrough()).toBe(100);
    expect(clickhouse.statements).toBe(2);
  });
});
