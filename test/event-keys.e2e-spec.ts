import { randomUUID } from 'node:crypto';
import { EVENT_EXAMPLES, EventEnvelope, EventType } from '@gallery/contract';
import { addToKeyTable, ClickHouseService, findStoredByKeyTable, identifier, JsonLines, migrate, sql, toEventRow } from '@gallery/clickhouse';
import { readTestRun } from './support/test-env';

/**
 * Row lines and the key table against the real ClickHouse server, in a database of its own. A
 * row line leaves out its empty columns, so the server must store their defaults. Keys added
 * directly must match the ones the materialized view computes.
 */
describe('event rows and keys on ClickHouse', () => {
  const run = readTestRun();
  const database = `event_keys_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const config = { url: run.env.CLICKHOUSE_URL, database, username: 'default', password: '' };
  let clickhouse: ClickHouseService;

  beforeAll(async () => {
    await migrate(config, { log: () => undefined });
    clickhouse = new ClickHouseService(config);
  });

  afterAll(async () => {
    await clickhouse.command(sql`DROP DATABASE IF EXISTS ${identifier(database)}`);
    await clickhouse.client.close();
  });

  function envelope(eventId: string): EventEnvelope {
    const event = { ...EVENT_EXAMPLES[EventType.FavoriteAdded], event_id: eventId, collection_id: 'col-keys' };
    return { account_id: 'acct_keys', received_at: '2026-06-14T18:22:06.000Z', event } as EventEnvelope;
  }

  it('stores the defaults of the columns a row line leaves out', async () => {
    const eventId = randomUUID();
    const row = toEventRow(envelope(eventId), { topic: 'keys', partition: 0, offset: 1 });
    const line = JSON.stringify(row);
    expect(line).not.toContain('share_media_ids');
    const lines = new JsonLines();
    lines.append(line);

    await clickhouse.insertJsonLines('events', lines);
    const [stored] = await clickhouse.query<Record<string, unknown>>(
      sql`SELECT media_kind, share_url, share_media_ids, file_size_bytes, bytes_transferred, http_status FROM events WHERE event_id = ${eventId}`,
    );
    expect(stored).toEqual({ media_kind: 'photo', share_url: '', share_media_ids: [], file_size_bytes: null, bytes_transferred: '0', http_status: 0 });
  });

  it('adds keys that the lookup finds, with the hash the view computes', async () => {
    const viewed = randomUUID();
    const added = randomUUID();
    const lines = new JsonLines();
    lines.append(JSON.stringify(toEventRow(envelope(viewed), { topic: 'keys', partition: 0, offset: 2 })));
    await clickhouse.insertJsonLines('events', lines);
    const key = (eventId: string) => ({ account_id: 'acct_keys', collection_id: 'col-keys', event_id: eventId });

    expect(await findStoredByKeyTable(clickhouse, 'event_keys', [key(added)])).toEqual([]);
    await addToKeyTable(clickhouse, 'event_keys', [key(added)]);
    expect(await findStoredByKeyTable(clickhouse, 'event_keys', [key(viewed), key(added)])).toEqual(expect.arrayContaining([key(viewed), key(added)]));

    // The view hashes the same text: a key added for the viewed event lands on the view's key.
    await addToKeyTable(clickhouse, 'event_keys', [key(viewed)]);
    const hashes = await clickhouse.query<{ n: string }>(sql`SELECT uniqExact(event_key) AS n FROM event_keys WHERE event_id = ${viewed}`);
    expect(hashes).toEqual([{ n: '1' }]);
  });
});
