import { randomUUID } from 'node:crypto';
import { EVENT_EXAMPLES, EventType } from '@gallery/contract';
import { ClickHouseService, EventRow, ExternalTable, JsonLines } from '@gallery/clickhouse';
import { MessageSigner } from '@gallery/kafka';
import { BatchWriterService } from './batch-writer.service';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';

const MAX_QUERY_SIZE = 256 * 1024;

function isInsert(text: string): boolean {
  return text.trimStart().startsWith('INSERT');
}

/**
 * A stand-in for ClickHouse that is given the stored event ids, serves both kinds of duplicate
 * lookup from them, and records the statements, the tables sent and the inserts.
 */
class RecordingClickHouse {
  readonly queries: string[] = [];
  readonly tables: ExternalTable[] = [];
  readonly inserts: EventRow[][] = [];
  /** Ids in the key table; the same as those in `events` unless a test sets them apart. */
  readonly keyIds: Set<string>;

  constructor(
    private readonly storedIds: Set<string>,
    keyIds?: Set<string>,
  ) {
    this.keyIds = keyIds ?? storedIds;
  }

  async query<Row>(text: string): Promise<Row[]> {
    this.queries.push(text);
    const ids = [...text.matchAll(/'([0-9a-f-]{36})'/g)].map((match) => match[1]);
    return ids.filter((id) => this.storedIds.has(id)).map((id) => ({ account_id: 'acct_demo', collection_id: 'big', event_id: id })) as Row[];
  }

  async queryWithTable<Row>(text: string, table: ExternalTable): Promise<Row[]> {
    this.queries.push(text);
    this.tables.push(table);
    if (isInsert(text)) {
      for (const [, , id] of table.rows) this.keyIds.add(id);
      return [];
    }
    return table.rows.filter(([, , id]) => this.keyIds.has(id)).map(([account, collection, id]) => ({ account_id: account, collection_id: collection, event_id: id })) as Row[];
  }

  async insertJsonLines(_table: string, lines: JsonLines, keep?: (index: number) => boolean): Promise<void> {
    const body = Buffer.concat([...lines.views(keep)]).toString('utf8');
    expect(body.endsWith('\n')).toBe(true);
    this.inserts.push(body.slice(0, -1).split('\n').map((line) => JSON.parse(line) as EventRow));
  }

  get inserted(): EventRow[] {
    return this.inserts.flat();
  }
}

function message(offset: number, eventId: string) {
  const event = { ...EVENT_EXAMPLES[EventType.PhotoDownloaded], event_id: eventId, collection_id: 'big' };
  const envelope = { account_id: 'acct_demo', received_at: '2026-06-14T18:22:06.000Z', event };
  return { offset, key: 'acct_demo/big', value: Buffer.from(JSON.stringify(envelope)) };
}

function setUp(storedCount: number, total: number) {
  const ids: string[] = Array.from({ length: total }, () => randomUUID());
  const stored = new Set(ids.filter((_, index) => index % 10 === 0).slice(0, storedCount));
  const clickhouse = new RecordingClickHouse(stored);
  const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, {} as DeadLetterPublisher, { kind: 'none' });
  return { ids, stored, clickhouse, writer };
}

describe('BatchWriterService', () => {
  it('drops stored ids and batch repeats', async () => {
    const { ids, stored, clickhouse, writer } = setUp(600, 6000);
    // The last message repeats the first id that is not stored yet: it must be stored once.
    const messages = [...ids.map((id, offset) => message(offset, id)), message(6000, ids[1])];
    const outcome = await writer.write({ topic: 'events', partition: 0, messages });

    expect(clickhouse.tables).toHaveLength(1);
    expect(clickhouse.tables[0].rows).toHaveLength(6001);
    expect(clickhouse.queries[0]).toContain('FROM `event_keys`');
    expect(outcome).toEqual({ inserted: 5400, duplicates: 601, deadLettered: 0 });
    expect(new Set(clickhouse.inserted.map((row) => row.event_id)).size).toBe(5400);
    expect(clickhouse.inserted.some((row) => stored.has(row.event_id))).toBe(false);
  });

  it('checks a recheck batch against the events table in statements ClickHouse accepts', async () => {
    const { ids, stored, clickhouse, writer } = setUp(600, 6000);
    const messages = [...ids.map((id, offset) => message(offset, id)), message(6000, ids[1])];
    const outcome = await writer.write({ topic: 'events', partition: 0, messages, recheck: true });

    // Every id is looked up in `events`; only the 600 found there are also looked up in the key
    // table, which already has them all.
    const eventsQueries = clickhouse.queries.filter((text) => text.includes('FROM `events`'));
    expect(eventsQueries.length).toBeGreaterThan(1);
    for (const text of eventsQueries) expect(text.length).toBeLessThan(MAX_QUERY_SIZE);
    expect(clickhouse.tables.map((table) => table.rows.length)).toEqual([600]);
    expect(clickhouse.queries.some(isInsert)).toBe(false);
    expect(outcome).toEqual({ inserted: 5400, duplicates: 601, deadLettered: 0 });
    expect(clickhouse.inserted.some((row) => stored.has(row.event_id))).toBe(false);
  });

  it('adds stored events missing from the key table during a recheck', async () => {
    const ids = Array.from({ length: 4 }, () => randomUUID());
    // ids[0] and ids[1] are in `events`, but only ids[0] reached the key table.
    const clickhouse = new RecordingClickHouse(new Set(ids.slice(0, 2)), new Set(ids.slice(0, 1)));
    const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, {} as DeadLetterPublisher, { kind: 'none' });
    const recheck = await writer.write({ topic: 'events', partition: 0, recheck: true, messages: ids.slice(0, 3).map((id, offset) => message(offset, id)) });

    expect(recheck).toEqual({ inserted: 1, duplicates: 2, deadLettered: 0 });
    expect(clickhouse.queries.filter(isInsert)).toHaveLength(1);
    expect(clickhouse.keyIds.has(ids[1])).toBe(true);

    // A later copy of ids[1] is checked in the key table only, and is now found there.
    const later = await writer.write({ topic: 'events', partition: 0, messages: [message(3, ids[1]), message(4, ids[3])] });
    expect(later).toEqual({ inserted: 1, duplicates: 1, deadLettered: 0 });
  });

  it('writes partition batches that arrive together with one insert and reports each', async () => {
    const { ids, clickhouse, writer } = setUp(2, 30);
    const first = ids.slice(0, 15).map((id, offset) => message(offset, id));
    const second = ids.slice(15).map((id, offset) => message(offset, id));
    const outcomes = await Promise.all([
      writer.write({ topic: 'events', partition: 0, messages: first }),
      writer.write({ topic: 'events', partition: 1, messages: second }),
    ]);

    expect(clickhouse.inserts).toHaveLength(1);
    expect(clickhouse.inserts[0]).toHaveLength(28);
    // ids 0 and 10 are stored; both fall in the first batch.
    expect(outcomes).toEqual([
      { inserted: 13, duplicates: 2, deadLettered: 0 },
      { inserted: 15, duplicates: 0, deadLettered: 0 },
    ]);
    expect(new Set(clickhouse.inserted.map((row) => `${row.kafka_partition}/${row.kafka_offset}`)).size).toBe(28);
  });

  it('fails every batch of a group when the insert fails', async () => {
    const { ids, clickhouse, writer } = setUp(0, 4);
    clickhouse.insertJsonLines = async () => {
      throw new Error('ClickHouse is down');
    };
    const results = await Promise.allSettled([
      writer.write({ topic: 'events', partition: 0, messages: [message(0, ids[0])] }),
      writer.write({ topic: 'events', partition: 1, messages: [message(0, ids[1])] }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('dead-letters a partly invalid message', async () => {
    const { ids, clickhouse } = setUp(0, 3);
    const published: DeadLetter[] = [];
    const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, { publish: async (letters: DeadLetter[]) => void published.push(...letters) } as unknown as DeadLetterPublisher, { kind: 'none' });
    const valid = (id: string) => ({ ...EVENT_EXAMPLES[EventType.PhotoDownloaded], event_id: id, collection_id: 'big' });
    const value = { account_id: 'acct_demo', received_at: '2026-06-14T18:22:06.000Z', events: [valid(ids[0]), { ...valid(ids[1]), status: 'lost' }, valid(ids[2])] };
    const outcome = await writer.write({ topic: 'events', partition: 0, messages: [{ offset: 7, key: 'acct_demo/big', value: Buffer.from(JSON.stringify(value)) }] });

    expect(outcome).toEqual({ inserted: 2, duplicates: 0, deadLettered: 1 });
    expect(clickhouse.inserted.map((row) => [row.event_id, row.kafka_offset])).toEqual([
      [ids[0], 7],
      [ids[2], 7],
    ]);
    expect(published).toHaveLength(1);
    expect(published[0].reason).toMatch(/^1 of 3 event\(s\) fail the contract: events\[1\]\.status/);
    expect(published[0].value?.toString()).toBe(JSON.stringify(value));
  });

  it('dead-letters an envelope with both or neither of event and events', async () => {
    const { clickhouse } = setUp(0, 1);
    const published: DeadLetter[] = [];
    const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, { publish: async (letters: DeadLetter[]) => void published.push(...letters) } as unknown as DeadLetterPublisher, { kind: 'none' });
    const head = { account_id: 'acct_demo', received_at: '2026-06-14T18:22:06.000Z' };
    const messages = [{ ...head }, { ...head, event: {}, events: [] }, { ...head, events: [] }].map((value, offset) => ({ offset, key: null, value: Buffer.from(JSON.stringify(value)) }));
    const outcome = await writer.write({ topic: 'events', partition: 0, messages });
    expect(outcome).toEqual({ inserted: 0, duplicates: 0, deadLettered: 3 });
    expect(published.map((letter) => letter.reason)).toEqual([
      'envelope must hold either event or events',
      'envelope must hold either event or events',
      'envelope events must be a non-empty array',
    ]);
  });

  it('trusts only validly signed messages', async () => {
    const signer = new MessageSigner(['s'.repeat(32)]);
    const { ids, clickhouse } = setUp(0, 3);
    const published: DeadLetter[] = [];
    const deadLetters = { publish: async (letters: DeadLetter[]) => void published.push(...letters) } as unknown as DeadLetterPublisher;
    const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, deadLetters, { kind: 'none' }, undefined, signer);
    // A status outside the contract: a signed message is not validated again, so it shows whether
    // the writer trusted a message or checked it.
    const value = (id: string) => {
      const event = { ...EVENT_EXAMPLES[EventType.PhotoDownloaded], event_id: id, collection_id: 'big', status: 'lost' };
      return Buffer.from(JSON.stringify({ account_id: 'acct_demo', received_at: '2026-06-14T18:22:06.000Z', events: [event] }));
    };
    const signed = value(ids[0]);
    const altered = value(ids[1]);
    const outcome = await writer.write({
      topic: 'events',
      partition: 0,
      messages: [
        { offset: 0, key: 'acct_demo/big', value: signed, signature: signer.sign(signed) },
        // The signature of another value, a signature by another key, and none.
        { offset: 1, key: 'acct_demo/big', value: altered, signature: signer.sign(signed) },
        { offset: 2, key: 'acct_demo/big', value: value(ids[2]), signature: new MessageSigner(['t'.repeat(32)]).sign(value(ids[2])) },
        { offset: 3, key: 'acct_demo/big', value: value(ids[2]) },
      ],
    });

    expect(outcome).toEqual({ inserted: 1, duplicates: 0, deadLettered: 3 });
    expect(clickhouse.inserted.map((row) => [row.event_id, row.status])).toEqual([[ids[0], 'lost']]);
    expect(published.map((letter) => letter.source.offset)).toEqual([1, 2, 3]);
    for (const letter of published) expect(letter.reason).toMatch(/^1 of 1 event\(s\) fail the contract: events\[0\]\.status/);
  });
});
