import { identifier, sql } from '@gallery/clickhouse';
import { readTestRun } from './test-env';

/** Runs a statement on the run's ClickHouse server in `database`; returns the rows of a SELECT. */
export async function clickhouseQuery<Row = Record<string, unknown>>(database: string, query: string): Promise<Row[]> {
  const url = new URL(readTestRun().env.CLICKHOUSE_URL);
  url.searchParams.set('database', database);
  url.searchParams.set('output_format_json_quote_64bit_integers', '1');
  const isSelect = /^\s*(SELECT|SHOW|EXISTS)\b/i.test(query);
  const response = await fetch(url, { method: 'POST', body: isSelect ? `${query} FORMAT JSONEachRow` : query });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse rejected the query in ${database} with ${response.status}: ${text.trim()}\nquery: ${query}`);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Row);
}

/** Tables of `database` that hold data, without views and the bookkeeping tables. */
export async function dataTables(database: string): Promise<string[]> {
  const rows = await clickhouseQuery<{ name: string }>(
    database,
    sql`SELECT name FROM system.tables WHERE database = ${database} AND engine NOT IN ('MaterializedView', 'View') ORDER BY name`,
  );
  const bookkeeping = new Set(['schema_migrations', 'ingest_watermarks']);
  return rows.map((row) => row.name).filter((name) => !bookkeeping.has(name) && !name.startsWith('.'));
}

/**
 * Returns every row of a table as sorted JSON lines, for comparing two databases or one table
 * before and after a rebuild. Background merges are forced first (OPTIMIZE … FINAL), so rollups
 * with one row per key compare equal however their inserts were split. Aggregate states are
 * finalized, and `inserted_at`, the time of the write, is left out.
 */
export async function tableSnapshot(database: string, table: string): Promise<string[]> {
  await clickhouseQuery(database, `OPTIMIZE TABLE ${identifier(table)} FINAL`);
  const columns = await clickhouseQuery<{ name: string; type: string }>(
    database,
    sql`SELECT name, type FROM system.columns WHERE database = ${database} AND table = ${table} ORDER BY name`,
  );
  const selected = columns
    .filter((column) => column.name !== 'inserted_at')
    .map((column) =>
      column.type.startsWith('AggregateFunction(') ? `finalizeAggregation(${identifier(column.name)}) AS ${identifier(column.name)}` : `${identifier(column.name)}`,
    );
  const rows = await clickhouseQuery(database, `SELECT ${selected.join(', ')} FROM ${identifier(table)}`);
  return rows.map((row) => JSON.stringify(row)).sort();
}

/** Snapshots of every data table of `database`, by table name. */
export async function databaseSnapshot(database: string): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of await dataTables(database)) snapshot[table] = await tableSnapshot(database, table);
  return snapshot;
}
