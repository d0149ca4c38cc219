import { ClickHouseService, ExternalTable } from './clickhouse.service';
import { identifier, inList, raw, sql } from './sql';

/** The identity of an event: account, collection and the producer's event id. */
export interface EventKey {
  account_id: string;
  collection_id: string;
  event_id: string;
}

/** Rows per statement of {@link findStoredInTable}; about 60 KiB of SQL. */
export const DEDUPLICATION_CHUNK_ROWS = 1000;

/** Returns one string per event identity, for sets and maps. Ids cannot contain a NUL byte. */
export function eventKeyText(key: EventKey): string {
  return `${key.account_id}\u0000${key.collection_id}\u0000${key.event_id}`;
}

/** SQL of a row's key, the same expression as in the event_keys migration. */
const EVENT_KEY_EXPRESSION = "sipHash64(concat(account_id, '\\0', collection_id, '\\0', event_id))";

/** Sends event identities with a query as a table named `candidates`, not as SQL literals. */
function candidatesTable(keys: readonly EventKey[]): ExternalTable {
  return {
    name: 'candidates',
    columns: [
      ['account_id', 'String'],
      ['collection_id', 'String'],
      ['event_id', 'String'],
    ],
    rows: keys.map((key) => [key.account_id, key.collection_id, key.event_id]),
  };
}

/**
 * Returns the stored events among `keys`, looked up by hash in the key table (see the event_keys
 * migration).
 */
export function findStoredByKeyTable(clickhouse: ClickHouseService, keysTable: string, keys: readonly EventKey[]): Promise<EventKey[]> {
  return clickhouse.queryWithTable<EventKey>(
    sql`
      SELECT account_id, collection_id, event_id
      FROM ${identifier(keysTable)}
      PREWHERE event_key IN (SELECT ${raw(EVENT_KEY_EXPRESSION)} FROM candidates)
    `,
    candidatesTable(keys),
  );
}

/**
 * Adds events to the key table directly. The consumer uses it for events found in `events` but
 * missing from the key table, which an insert cut off between the table and its views leaves.
 * NOTE: external data in an INSERT … SELECT has been run on ClickHouse 18.16 only.
 */
export async function addToKeyTable(clickhouse: ClickHouseService, keysTable: string, keys: readonly EventKey[]): Promise<void> {
  if (keys.length === 0) return;
  await clickhouse.queryWithTable(
    sql`
      INSERT INTO ${identifier(keysTable)} (event_key, account_id, collection_id, event_id)
      SELECT ${raw(EVENT_KEY_EXPRESSION)}, account_id, collection_id, event_id FROM candidates
    `,
    candidatesTable(keys),
  );
}

/**
 * Returns the stored events among `keys`, read from an events table itself with IN lists. It is
 * exact whatever state the key table is in, but costs more as the table grows. One statement per
 * chunk keeps each under ClickHouse's `max_query_size` (256 KiB by default).
 */
export async function findStoredInTable(clickhouse: ClickHouseService, table: string, keys: readonly EventKey[]): Promise<EventKey[]> {
  const stored: EventKey[] = [];
  for (let start = 0; start < keys.length; start += DEDUPLICATION_CHUNK_ROWS) {
    const chunk = keys.slice(start, start + DEDUPLICATION_CHUNK_ROWS);
    stored.push(
      ...(await clickhouse.query<EventKey>(sql`
        SELECT account_id, collection_id, event_id
        FROM ${identifier(table)}
        WHERE account_id IN ${inList([...new Set(chunk.map((key) => key.account_id))])}
          AND collection_id IN ${inList([...new Set(chunk.map((key) => key.collection_id))])}
          AND event_id IN ${inList([...new Set(chunk.map((key) => key.event_id))])}
      `)),
    );
  }
  return stored;
}
