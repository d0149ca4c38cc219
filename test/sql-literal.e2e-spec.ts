import { createClient } from '@clickhouse/client';
import { ClickHouseService, literal, sql } from '@gallery/clickhouse';
import { readTestRun } from './support/test-env';

const HOSTILE = [
  "'",
  "\\'",
  "x' OR '1'='1",
  "'; DROP TABLE events; --",
  '\\',
  '\\\\',
  'tab\there',
  'nul\0nul',
  'quote " double',
  '`backtick`',
  '\x01\x02\x1f\x7f',
  'ünïcödé ✓ 🎉',
  '\u2028\u2029',
  '{name:String}',
  '$1 ? :param',
];

// Characters that matter to a SQL string literal, mixed with ordinary ones.
const ALPHABET = ["'", '\\', '"', '`', '\n', '\r', '\t', '\0', '\x1b', 'a', 'Z', '0', ' ', ';', '-', 'é', '🎉', '{', '}', '?'];

function randomString(seed: number): string {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  const length = next() % 40;
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[next() % ALPHABET.length];
  return text;
}

describe('SQL literals on the real ClickHouse server', () => {
  const run = readTestRun();
  const client = createClient({ url: run.env.CLICKHOUSE_URL });

  afterAll(async () => {
    await client.close();
  });

  async function roundTrip(values: string[]): Promise<string[]> {
    const selects = values.map((value, index) => `SELECT ${index} AS i, ${literal(value)} AS v`).join(' UNION ALL ');
    const result = await client.query({ query: `SELECT v FROM (${selects}) ORDER BY i`, format: 'JSONEachRow' });
    return (await result.json<{ v: string }>()).map((row) => row.v);
  }

  it('reads back every hostile string unchanged', async () => {
    expect(await roundTrip(HOSTILE)).toEqual(HOSTILE);
  });

  it('reads back 300 generated strings unchanged', async () => {
    const values = Array.from({ length: 300 }, (_, index) => randomString(index + 1));
    expect(await roundTrip(values)).toEqual(values);
  });

  it('keeps a hostile value inside its comparison', async () => {
    const result = await client.query({
      query: sql`SELECT count() AS n FROM system.one WHERE ${"x' OR '1'='1"} = 'x'`,
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ n: '0' }]);
  });

  it('sends hostile strings in a TabSeparated table and reads them back unchanged', async () => {
    const service = new ClickHouseService({ url: run.env.CLICKHOUSE_URL, database: 'system', username: 'default', password: '' });
    try {
      const values = [...HOSTILE, ...Array.from({ length: 300 }, (_, index) => randomString(index + 1000))];
      const rows = await service.queryWithTable<{ i: string; v: string }>('SELECT i, v FROM sent ORDER BY toUInt32(i)', {
        name: 'sent',
        columns: [
          ['i', 'String'],
          ['v', 'String'],
        ],
        rows: values.map((value, index) => [String(index), value]),
      });
      expect(rows.map((row) => row.v)).toEqual(values);
    } finally {
      await service.client.close();
    }
  });
});
