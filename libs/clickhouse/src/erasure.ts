import { ClickHouseService } from './clickhouse.service';
import { identifier, raw, sql } from './sql';

/**
 * A request to erase one client's personal data in one account. It is published to the erasure
 * topic (`<event topic>.erasures`) before it is applied, so that whoever rebuilds ClickHouse from
 * the event log can apply it again.
 */
export interface ClientErasure {
  account_id: string;
  client_id: string;
  /** ISO-8601 instant of the request. */
  requested_at: string;
}

/** Name of the topic that keeps erasure requests next to the event topic. */
export function erasureTopic(eventTopic: string): string {
  return `${eventTopic}.erasures`;
}

/** Client fields of the event payload JSON that hold personal data, blanked by an erasure. */
const PAYLOAD_PERSONAL_FIELDS = ['email', 'name', 'ip_address', 'user_agent'];

/**
 * Builds the mutation that blanks a client's email, name, IP address and user agent in the
 * `events` table, in the columns and inside the stored payload JSON. Everything else stays: the
 * pseudonymous client id, the media, times, statuses and byte counts, so counts do not change.
 * `ALTER TABLE … UPDATE` runs on ClickHouse 18.16 and later; the server applies it asynchronously.
 */
export function clientErasureSql(erasure: Pick<ClientErasure, 'account_id' | 'client_id'>, table = 'events'): string {
  let payload = 'payload';
  for (const field of PAYLOAD_PERSONAL_FIELDS) {
    // A JSON string value: quote, then any run of non-quote non-backslash characters or escapes.
    const pattern = `"${field}":"(?:[^"\\\\]|\\\\.)*"`;
    payload = sql`replaceRegexpAll(${raw(payload)}, ${pattern}, ${`"${field}":""`})`;
  }
  return sql`ALTER TABLE ${identifier(table)} UPDATE client_email = '', client_name = '', client_ip = '', client_user_agent = '', payload = ${raw(payload)}
    WHERE account_id = ${erasure.account_id} AND client_id = ${erasure.client_id}`;
}

/**
 * Applies erasures to `table` (default `events`) and waits until ClickHouse has finished the mutations.
 * Replay and rebuild tools call it after they have written the replayed events, with every record
 * of the erasure topic, so that a rebuild does not bring erased data back.
 */
export async function applyClientErasures(clickhouse: ClickHouseService, erasures: readonly ClientErasure[], timeoutMs = 120_000, table = 'events'): Promise<void> {
  for (const erasure of erasures) await clickhouse.command(clientErasureSql(erasure, table));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await clickhouse.query<{ pending: string }>(
      sql`SELECT count() AS pending FROM system.mutations WHERE database = currentDatabase() AND table = ${table} AND is_done = 0`,
    );
    if (Number(row.pending) === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`${row.pending} mutation(s) on events still running after ${timeoutMs} ms; check system.mutations and run the erasure again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
