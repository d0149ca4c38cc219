import { randomUUID } from 'node:crypto';
import { EVENT_EXAMPLES, EventType } from '@gallery/contract';
import { ClickHouseService, EventRow } from '@gallery/clickhouse';
import { BatchWriterService } from './batch-writer.service';
import { DeadLetterPublisher } from './dead-letter.publisher';

const MAX_QUERY_SIZE = 256 * 1024;

/** A stand-in for ClickHouse that remembers the SQL it was sent and the rows inserted. */
class RecordingClickHouse {
  readonly queries: string[] = [];
  readonly inserted: EventRow[] = [];

  constructor(private readonly storedIds: Set<string>) {}

  async query<Row>(text: string): Promise<Row[]> {
    this.queries.push(text);
    const ids = [...text.matchAll(/'([0-9a-f-]{36})'/g)].map((match) => match[1]);
    return ids.filter((id) => this.storedIds.has(id)).map((id) => ({ account_id: 'acct_demo', collection_id: 'big', event_id: id })) as Row[];
  }

  async insert(_table: string, rows: EventRow[]): Promise<void> {
    this.inserted.push(...rows);
  }
}

function message(offset: number, eventId: string) {
  const event = { ...EVENT_EXAMPLES[EventType.PhotoDownloaded], event_id: eventId, collection_id: 'big' };
  const envelope = { account_id: 'acct_demo', received_at: '2026-06-14T18:22:06.000Z', event };
  return { offset, key: 'acct_demo/big', value: Buffer.from(JSON.stringify(envelope)) };
}

describe('BatchWriterService', () => {
  it('checks duplicates of a large batch in statements ClickHouse accepts', async () => {
    const ids: string[] = Array.from({ length: 6000 }, () => randomUUID());
    const stored = new Set(ids.filter((_, index) => index % 10 === 0));
    const clickhouse = new RecordingClickHouse(stored);
    const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, {} as DeadLetterPublisher, { kind: 'none' });

    // The last message repeats the first id that is not stored yet: it must be stored once.
    const messages = [...ids.map((id, offset) => message(offset, id)), message(6000, ids[1])];
    const outcome = await writer.write({ topic: 'events', partition: 0, messages });

    expect(clickhouse.queries.length).toBeGreaterThan(1);
    for (const text of clickhouse.queries) expect(text.length).toBeLessThan(MAX_QUERY_SIZE);
    expect(outcome).toEqual({ inserted: 5400, duplicates: 601, deadLettered: 0 });
    expect(new Set(clickhouse.inserted.map((row) => row.event_id)).size).toBe(5400);
    expect(clickhouse.inserted.some((row) => stored.has(row.event_id))).toBe(false);
  });
});
