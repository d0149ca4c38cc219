import { join } from 'node:path';
import { inList } from '@gallery/clickhouse';
import { cpuPriority, stackPid } from '../../tools/bench/cpu';
import { eventually, metricValue, uniqueCollection } from '../support/api';
import { mixedEvents } from '../support/fault-events';
import { OwnPipeline } from '../support/own-pipeline';
import { stack } from '../support/stack';
import { KEYS } from '../support/test-env';

/**
 * How long ClickHouse stays down. 60 s by default; FAULT_CLICKHOUSE_OUTAGE_SECONDS shortens it for
 * a quick local run, but the consumer's backoff grows to 30 s only in outages longer than about
 * 30 s, so the default covers the longest wait between retries.
 */
const OUTAGE_SECONDS = Number(process.env.FAULT_CLICKHOUSE_OUTAGE_SECONDS ?? 60);

/**
 * ClickHouse stops while events keep arriving. The consumer must commit nothing while it cannot
 * write, retry with backoff, and store every accepted event once after ClickHouse is back.
 */
describe('ClickHouse outage', () => {
  let pipeline: OwnPipeline;

  beforeAll(async () => {
    pipeline = await OwnPipeline.create('clickhouse_outage');
  });

  afterAll(async () => {
    try {
      await stack('start-clickhouse');
    } finally {
      await pipeline.dispose();
    }
  });

  it(`catches up after ${OUTAGE_SECONDS} s without loss`, async () => {
    const collections = [uniqueCollection('outage-a'), uniqueCollection('outage-b'), uniqueCollection('outage-c')];
    await pipeline.start('consumer');
    await pipeline.start('ingest');

    const accepted: string[] = [];
    const warmUp = mixedEvents(collections, 20, 5);
    expect((await pipeline.post({ events: warmUp }, KEYS.ingest)).status).toBe(202);
    accepted.push(...warmUp.map((event) => event.event_id as string));
    await pipeline.waitCaughtUp();
    const committedBefore = (await pipeline.offsets()).map((entry) => entry.committed);

    await stack('stop-clickhouse');
    try {
      const outageEnds = Date.now() + OUTAGE_SECONDS * 1000;
      let seed = 100;
      while (Date.now() < outageEnds) {
        const events = mixedEvents(collections, 10, seed++);
        const response = await pipeline.post({ events }, KEYS.ingest);
        expect(response.status).toBe(202);
        accepted.push(...events.map((event) => event.event_id as string));
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }

      const ready = await pipeline.get('consumer', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.clickhouse).toMatch(/^failed/);
      expect(ready.body.checks.kafka).toBe('ok');

      const metrics = (await pipeline.get('consumer', '/metrics')).body as string;
      expect(metricValue(metrics, 'consumer_batch_retries_total')).toBeGreaterThan(0);
      const committedDuring = (await pipeline.offsets()).map((entry) => entry.committed);
      expect(committedDuring).toEqual(committedBefore);
    } finally {
      await stack('start-clickhouse');
    }

    // The consumer may be waiting up to 30 s before its next retry.
    await pipeline.waitCaughtUp(120_000);
    const [stored] = await pipeline.query<{ rows: string; ids: string }>(`SELECT count() AS rows, uniqExact(event_id) AS ids FROM events WHERE event_id IN ${inList(accepted)}`);
    expect(Number(stored.ids)).toBe(accepted.length);
    expect(Number(stored.rows)).toBe(accepted.length);
    await eventually('the consumer to report ready again', async () => ((await pipeline.get('consumer', '/ready')).status === 200 ? true : undefined));

    // A restart through the stack script starts ClickHouse at CLICKHOUSE_NICE again (10 by default).
    const priority = cpuPriority(stackPid(join(__dirname, '..', '..'), 'clickhouse'));
    const expectedNice = Number(process.env.CLICKHOUSE_NICE ?? 10);
    expect(priority?.nice).toBe(expectedNice);
    if (priority?.group_nice !== null) expect(priority?.group_nice).toBe(expectedNice);
  });
});
