import { Readable } from 'node:stream';
import { ClickHouseService } from '@gallery/clickhouse';

type Flat = Record<string, unknown>;

/** Flattens nested objects into dotted column names; arrays become `;`-joined text. */
export function flatten(value: Record<string, unknown>, prefix = '', out: Flat = {}): Flat {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) flatten(item as Record<string, unknown>, name, out);
    else out[name] = Array.isArray(item) ? item.join(';') : item;
  }
  return out;
}

/**
 * Renders one CSV field per RFC 4180. Text that a spreadsheet would run as a formula (starting
 * with = + - @ or a tab) gets a leading apostrophe.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'bigint' ? value.toString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * Column names of a mapper's output, found by mapping a row whose every column reads as empty:
 * the header is known before the first row arrives, also for an empty result.
 */
export function columnsOf<Row>(mapper: (row: Row) => Record<string, unknown>): string[] {
  const blank = new Proxy({}, { get: () => '' }) as Row;
  return Object.keys(flatten(mapper(blank)));
}

/** Streams a ClickHouse result through a row mapper as CSV with a header line. */
export function streamCsv<Row>(clickhouse: ClickHouseService, query: string, mapper: (row: Row) => Record<string, unknown>): Readable {
  const columns = columnsOf(mapper);
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(columns);
    const result = await clickhouse.client.query({
      query,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    for await (const chunk of result.stream()) {
      let text = '';
      for (const row of chunk as Array<{ json: () => Row }>) {
        const flat = flatten(mapper(row.json()));
        text += csvLine(columns.map((column) => flat[column]));
      }
      yield text;
    }
  }
  return Readable.from(lines());
}

/** Renders rows already in memory as CSV. */
export function csvFromRows(rows: Array<Record<string, unknown>>): Readable {
  const flatRows = rows.map((row) => flatten(row));
  const columns = flatRows.length > 0 ? Object.keys(flatRows[0]) : [];
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(columns);
    for (const flat of flatRows) yield csvLine(columns.map((column) => flat[column]));
  }
  return Readable.from(lines());
}
