import { inList } from '@gallery/clickhouse';
import { uniqueCollection } from '../support/api';
import { mixedEvents } from '../support/fault-events';
import { OwnPipeline } from '../support/own-pipeline';
import { KEYS } from '../support/test-env';

interface Outcome {
  status: number | 'network error';
  ids: string[];
  sentAt: number;
  doneAt: number;
}

/**
 * The ingest app gets SIGTERM while requests are in flight. Every event id answered 202 must be
 * stored exactly once, and no event may be stored twice; requests cut off get no 202.
 */
describe('ingest stopped mid-batch', () => {
  let pipeline: OwnPipeline;

  beforeAll(async () => {
    pipeline = await OwnPipeline.create('ingest_stop');
  });

  afterAll(async () => {
    await pipeline.dispose();
  });

  it('stores each 202 event exactly once', async () => {
    const collections = [uniqueCollection('stop-a'), uniqueCollection('stop-b'), uniqueCollection('stop-c')];
    await pipeline.start('consumer');
    await pipeline.start('ingest');

    const outcomes: Outcome[] = [];
    const send = async (seed: number) => {
      const events = mixedEvents(collections, 200, seed);
      const ids = events.map((event) => event.event_id as string);
      const sentAt = Date.now();
      try {
        const response = await pipeline.post({ events }, KEYS.ingest);
        outcomes.push({ status: response.status, ids, sentAt, doneAt: Date.now() });
      } catch {
        outcomes.push({ status: 'network error', ids, sentAt, doneAt: Date.now() });
      }
    };

    const inFlight = Array.from({ length: 30 }, (_, index) => send(2_000 + index));
    await Promise.race(inFlight);
    const stoppedAt = Date.now();
    const status = await pipeline.stop('ingest', 'SIGTERM');
    await Promise.all(inFlight);
    expect(status.signal === 'SIGTERM' || status.code === 0).toBe(true);

    // Requests in flight at SIGTERM were drained: answered 202 after the signal.
    const drained = outcomes.filter((o) => o.status === 202 && o.sentAt < stoppedAt && o.doneAt > stoppedAt);
    expect(drained.length).toBeGreaterThan(0);
    for (const outcome of outcomes) expect([202, 503, 'network error']).toContain(outcome.status);

    // Once the process is gone, nothing is accepted.
    const before = outcomes.length;
    await Promise.all(Array.from({ length: 3 }, (_, index) => send(3_000 + index)));
    expect(outcomes.slice(before).map((o) => o.status)).toEqual(['network error', 'network error', 'network error']);

    await pipeline.waitCaughtUp();
    const acceptedIds = outcomes.filter((o) => o.status === 202).flatMap((o) => o.ids);
    const [stored] = await pipeline.query<{ rows: string; ids: string }>(`SELECT count() AS rows, uniqExact(event_id) AS ids FROM events WHERE event_id IN ${inList(acceptedIds)}`);
    expect(Number(stored.ids)).toBe(acceptedIds.length);
    expect(Number(stored.rows)).toBe(acceptedIds.length);
    const [doubled] = await pipeline.query<{ n: string }>('SELECT count() AS n FROM (SELECT event_id, count() AS copies FROM events GROUP BY event_id HAVING copies > 1)');
    expect(Number(doubled.n)).toBe(0);
  });
});
