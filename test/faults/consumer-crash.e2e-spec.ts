import { inList } from '@gallery/clickhouse';
import { eventually, uniqueCollection } from '../support/api';
import { collectionApiPaths, stableAnswer } from '../support/api-paths';
import { databaseSnapshot } from '../support/clickhouse';
import { mixedEvents } from '../support/fault-events';
import { OwnPipeline } from '../support/own-pipeline';
import { KEYS } from '../support/test-env';

/**
 * The consumer process exits (code 137, as after SIGKILL) right after its second insert into
 * ClickHouse and before committing that batch's offset. After a restart, every table must equal
 * the tables a second consumer without the fault builds from the same topic.
 */
describe('consumer killed between insert and commit', () => {
  let faulty: OwnPipeline;
  let reference: OwnPipeline | undefined;

  beforeAll(async () => {
    faulty = await OwnPipeline.create('crash');
  });

  afterAll(async () => {
    await reference?.dispose({ keepTopic: true });
    await faulty.dispose();
  });

  it('stores every event once after restart', async () => {
    const collections = [uniqueCollection('crash-a'), uniqueCollection('crash-b'), uniqueCollection('crash-c'), uniqueCollection('crash-d')];
    await faulty.start('consumer', { CONSUMER_FAULT: 'exit-after-insert:2' });
    await faulty.start('ingest');

    // The first request has one collection, so one partition: it is stored and committed as
    // insert 1. The next requests crash the consumer at insert 2.
    const first = mixedEvents(collections.slice(0, 1), 20, 1);
    expect((await faulty.post({ events: first }, KEYS.ingest)).status).toBe(202);
    await eventually('the first request to be stored', async () => {
      const [row] = await faulty.query<{ n: string }>('SELECT count() AS n FROM events');
      return Number(row.n) === first.length ? true : undefined;
    });

    const later = [mixedEvents(collections, 40, 2), mixedEvents(collections, 40, 3)];
    for (const events of later) expect((await faulty.post({ events }, KEYS.ingest)).status).toBe(202);
    // A producer retry of the first request: the same event ids again.
    expect((await faulty.post({ events: first.slice(0, 10) }, KEYS.ingest)).status).toBe(202);

    const exit = await faulty.exited('consumer');
    expect(exit.code).toBe(137);

    // The crash left rows in ClickHouse beyond the committed offset of some partition.
    const offsets = await faulty.offsets();
    let uncommittedRows = 0;
    for (const { partition, committed } of offsets) {
      const [row] = await faulty.query<{ n: string }>(
        `SELECT count() AS n FROM events WHERE kafka_partition = ${partition} AND kafka_offset >= ${Math.max(committed, 0)}`,
      );
      uncommittedRows += Number(row.n);
    }
    expect(uncommittedRows).toBeGreaterThan(0);

    await faulty.start('consumer');
    await faulty.waitCaughtUp();

    reference = await OwnPipeline.create('crash-reference', { topic: faulty.topic });
    await reference.start('consumer');
    await reference.waitCaughtUp();

    const allIds = [...first, ...later.flat()].map((event) => event.event_id as string);
    const [stored] = await faulty.query<{ rows: string; ids: string }>(
      `SELECT count() AS rows, uniqExact(event_id) AS ids FROM events WHERE event_id IN ${inList(allIds)}`,
    );
    expect(Number(stored.ids)).toBe(allIds.length);
    expect(Number(stored.rows)).toBe(allIds.length);

    const faultySnapshot = await databaseSnapshot(faulty.database);
    const referenceSnapshot = await databaseSnapshot(reference.database);
    expect(Object.keys(faultySnapshot)).toEqual(Object.keys(referenceSnapshot));
    for (const table of Object.keys(referenceSnapshot)) {
      expect({ table, rows: faultySnapshot[table] }).toEqual({ table, rows: referenceSnapshot[table] });
    }

    await faulty.start('query');
    await reference.start('query');
    for (const collection of collections) {
      for (const path of collectionApiPaths(collection)) {
        const [afterCrash, noFault] = await Promise.all([faulty.get('query', path, KEYS.read), reference.get('query', path, KEYS.read)]);
        expect({ path, status: afterCrash.status }).toEqual({ path, status: 200 });
        expect({ path, body: stableAnswer(afterCrash.body) }).toEqual({ path, body: stableAnswer(noFault.body) });
      }
    }
  });
});
