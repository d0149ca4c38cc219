import { inList } from '@gallery/clickhouse';
import { partitionKey } from '@gallery/contract';
import { partitionOf } from '@gallery/kafka';
import { eventually, metricValue, uniqueCollection } from '../support/api';
import { mixedEvents } from '../support/fault-events';
import { OwnPipeline } from '../support/own-pipeline';
import { KEYS } from '../support/test-env';

/** Returns the value of a counter or gauge on a Prometheus text page, summed over its label sets. */
/**
 * The same request is posted twice, and the consumer stores both copies' batches while none of
 * its offset commits reaches the broker. After a restart it reads everything again from Kafka;
 * the stored counts must not change.
 */
describe('duplicate batch and lost commits', () => {
  let pipeline: OwnPipeline;

  beforeAll(async () => {
    pipeline = await OwnPipeline.create('lost_commit');
  });

  afterAll(async () => {
    await pipeline.dispose();
  });

  it('counts every event once', async () => {
    const collections = [uniqueCollection('dup-a'), uniqueCollection('dup-b'), uniqueCollection('dup-c')];
    await pipeline.start('consumer', { CONSUMER_FAULT: 'drop-commits' });
    await pipeline.start('ingest');

    const events = mixedEvents(collections, 40, 4);
    expect((await pipeline.post({ events }, KEYS.ingest)).status).toBe(202);
    expect((await pipeline.post({ events }, KEYS.ingest)).status).toBe(202);

    const ids = events.map((event) => event.event_id as string);
    await eventually('both copies to be read and the first stored', async () => {
      const page = (await pipeline.get('consumer', '/metrics')).body as string;
      const handled = metricValue(page, 'consumer_events_inserted_total') + metricValue(page, 'consumer_duplicates_dropped_total');
      return handled === 2 * events.length ? true : undefined;
    });

    // Each post is one message per partition its collections map to.
    const offsets = await pipeline.offsets();
    const partitions = new Set(collections.map((collection) => partitionOf(partitionKey('acct_demo', collection), offsets.length)));
    expect(offsets.reduce((sum, entry) => sum + entry.high, 0)).toBe(2 * partitions.size);
    expect(offsets.map((entry) => entry.committed)).toEqual(offsets.map(() => -1));

    const stop = await pipeline.stop('consumer');
    expect(stop.signal ?? stop.code).not.toBe(137);
    await pipeline.start('consumer');
    await pipeline.waitCaughtUp();

    const restartedPage = (await pipeline.get('consumer', '/metrics')).body as string;
    expect(metricValue(restartedPage, 'consumer_events_inserted_total')).toBe(0);

    const [stored] = await pipeline.query<{ rows: string; ids: string }>(`SELECT count() AS rows, uniqExact(event_id) AS ids FROM events WHERE event_id IN ${inList(ids)}`);
    expect(Number(stored.rows)).toBe(events.length);
    expect(Number(stored.ids)).toBe(events.length);

    await pipeline.start('query');
    for (const collection of collections) {
      const expectedPhotos = events.filter((event) => event.collection_id === collection && event.type === 'photo.downloaded');
      const response = await pipeline.get('query', `/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
      expect({ collection, downloads: response.body.data.totals.downloads, bytes: response.body.data.totals.bytes_transferred }).toEqual({
        collection,
        downloads: expectedPhotos.length,
        bytes: expectedPhotos.reduce((sum, event) => sum + (event.bytes_transferred as number), 0),
      });
    }
  });
});
