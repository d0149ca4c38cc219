import { inList } from '@gallery/clickhouse';
import { EventType } from '@gallery/contract';
import { eventually, exampleEvent, postEvents, uniqueCollection, waitForConsumerCaughtUp } from '../support/api';
import { mixedEvents } from '../support/fault-events';
import { OwnPipeline } from '../support/own-pipeline';
import { stack } from '../support/stack';
import { KEYS } from '../support/test-env';

interface Outcome {
  status: number | 'network error';
  retryAfter: string | null;
  ids: string[];
  sentAt: number;
}

/**
 * The Kafka broker restarts while producers keep posting. Every request answered 202 must be
 * stored once, requests during the outage must get 503 with Retry-After, and the ingest app must
 * accept events again after the broker returns, without a restart.
 */
describe('Kafka broker restart', () => {
  let pipeline: OwnPipeline;

  beforeAll(async () => {
    pipeline = await OwnPipeline.create('kafka_restart');
  });

  afterAll(async () => {
    try {
      await stack('start-kafka');
    } finally {
      await pipeline.dispose();
    }
  });

  it('keeps every 202 and answers 503 meanwhile', async () => {
    const collections = [uniqueCollection('restart-a'), uniqueCollection('restart-b')];
    await pipeline.start('consumer');
    await pipeline.start('ingest');
    expect((await pipeline.post({ events: mixedEvents(collections, 5, 6) }, KEYS.ingest)).status).toBe(202);

    const outcomes: Outcome[] = [];
    let posting = true;
    let seed = 1_000;
    const producer = async () => {
      while (posting) {
        const events = mixedEvents(collections, 5, seed++);
        const sentAt = Date.now();
        const ids = events.map((event) => event.event_id as string);
        try {
          const response = await pipeline.post({ events }, KEYS.ingest);
          outcomes.push({ status: response.status, retryAfter: response.headers.get('retry-after'), ids, sentAt });
        } catch {
          outcomes.push({ status: 'network error', retryAfter: null, ids, sentAt });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const producers = [producer(), producer(), producer()];

    let restartedAt = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await stack('stop-kafka');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await stack('start-kafka');
      restartedAt = Date.now();
      await eventually('a 202 sent after the broker restarted', async () => (outcomes.some((o) => o.status === 202 && o.sentAt > restartedAt) ? true : undefined), 90_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      posting = false;
      await Promise.all(producers);
    }

    const statuses = new Set(outcomes.map((outcome) => outcome.status));
    expect([...statuses].sort()).toEqual([202, 503]);
    for (const outcome of outcomes.filter((o) => o.status === 503)) expect(outcome.retryAfter).toBe('5');

    await pipeline.waitCaughtUp(120_000);
    const acceptedIds = outcomes.filter((o) => o.status === 202).flatMap((o) => o.ids);
    const [stored] = await pipeline.query<{ rows: string; ids: string }>(`SELECT count() AS rows, uniqExact(event_id) AS ids FROM events WHERE event_id IN ${inList(acceptedIds)}`);
    expect(Number(stored.ids)).toBe(acceptedIds.length);
    expect(Number(stored.rows)).toBe(acceptedIds.length);
    const [doubled] = await pipeline.query<{ n: string }>('SELECT count() AS n FROM (SELECT event_id, count() AS copies FROM events GROUP BY event_id HAVING copies > 1)');
    expect(Number(doubled.n)).toBe(0);

    // The apps that global-setup started for the other tests recover as well.
    const probe = exampleEvent(EventType.PhotoDownloaded, uniqueCollection('after-restart'));
    await eventually('the shared ingest app to accept events again', async () => ((await postEvents(probe, KEYS.ingest)).status === 202 ? true : undefined), 60_000);
    await waitForConsumerCaughtUp(120_000);
  });
});
