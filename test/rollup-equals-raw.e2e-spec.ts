import { EventType } from '@gallery/contract';
import { ClickHouseService } from '@gallery/clickhouse';
import { canUseRollup, DownloadsRepository } from '../apps/query/src/downloads.repository';
import { parseListQuery } from '../apps/query/src/query-params';
import { ReadContext } from '../apps/query/src/scope';
import { bucketStarts } from '../apps/query/src/timeline';
import { exampleEvent, postEvents, uniqueCollection, waitForConsumerCaughtUp } from './support/api';
import { KEYS, readTestRun } from './support/test-env';

const PARAMS = { endpoint: 'downloads', statuses: ['completed', 'partial', 'failed', 'cancelled'], filters: ['client_id', 'media_id'] as const };

/** A deterministic spread of photo and video downloads over two months, across DST changes. */
function generatedEvents(collection: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const statuses = ['completed', 'completed', 'partial', 'failed'];
  let state = 7;
  const next = () => (state = (state * 48271) % 2147483647);
  for (let index = 0; index < 400; index++) {
    const at = new Date(Date.UTC(2026, 2, 1) + (next() % (61 * 24 * 60)) * 60_000 + (next() % 1000)).toISOString();
    const isVideo = next() % 5 === 0;
    const client = { id: `client-${next() % 12}` };
    if (isVideo) {
      events.push(
        exampleEvent(EventType.VideoDownload, collection, {
          occurred_at: at,
          download_id: `dl-${index}`,
          client,
          status: next() % 3 === 0 ? 'cancelled' : 'completed',
          bytes_transferred: next() % 100_000,
        }),
      );
    } else {
      events.push(
        exampleEvent(EventType.PhotoDownloaded, collection, {
          occurred_at: at,
          client,
          photo: { id: `IMG_${next() % 30}`, file_name: 'x.jpg', format: 'jpeg' },
          status: statuses[next() % statuses.length],
          bytes_transferred: next() % 10_000,
        }),
      );
    }
  }
  return events;
}

describe('downloads_15m rollup', () => {
  const run = readTestRun();
  const clickhouse = new ClickHouseService({ url: run.env.CLICKHOUSE_URL, database: run.env.CLICKHOUSE_DATABASE, username: 'default', password: '' });
  const repository = new DownloadsRepository(clickhouse);
  const collection = uniqueCollection('rollup');

  beforeAll(async () => {
    expect((await postEvents({ events: generatedEvents(collection) }, KEYS.ingest)).status).toBe(202);
    await waitForConsumerCaughtUp();
  });

  afterAll(async () => {
    await clickhouse.client.close();
  });

  const cases: Array<Record<string, string>> = [
    { interval: 'day' },
    { interval: 'hour', tz: 'Europe/Berlin', from: '2026-03-28', to: '2026-03-30' },
    { interval: 'day', tz: 'Europe/Berlin', from: '2026-03-01', to: '2026-04-30' },
    { interval: 'day', tz: 'America/New_York', from: '2026-03-01T05:00:00Z', to: '2026-04-15T04:00:00Z' },
    { interval: 'hour', tz: 'Asia/Kolkata', from: '2026-04-01', to: '2026-04-03' },
    { interval: 'hour', tz: 'Asia/Kathmandu', from: '2026-04-01', to: '2026-04-02' },
    { interval: 'week', tz: 'Australia/Sydney' },
    { interval: 'month', tz: 'Pacific/Chatham' },
    { interval: 'day', status: 'failed' },
  ];

  it.each(cases)('answers like raw events for %j', async (params) => {
    const context: ReadContext = {
      scope: { accountId: 'acct_demo', collectionId: collection },
      query: parseListQuery(params, undefined, { ...PARAMS, filters: [...PARAMS.filters] }),
      snapshotMs: Date.now(),
    };
    expect(canUseRollup(context)).toBe(true);
    const fromRollup = await repository.timelineFromRollup(context);
    const fromEvents = await repository.timelineFromEvents(context);
    expect(fromEvents.length).toBeGreaterThan(0);
    expect(fromRollup).toEqual(fromEvents);

    // Every bucket ClickHouse computes must be one the timeline lists, or its counts would be lost.
    const rangeStart = context.query.fromMs ?? Date.UTC(2026, 2, 1);
    const rangeEnd = context.query.toMs ?? Date.UTC(2026, 4, 2);
    const starts = new Set(bucketStarts({ ...context.query, fromMs: rangeStart, toMs: rangeEnd }, null, null));
    const missing = fromEvents.map((row) => Number(row.bucket_start) * 1000).filter((start) => !starts.has(start));
    expect(missing).toEqual([]);
  });
});
