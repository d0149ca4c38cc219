import { ClickHouseClient, ClickHouseSettings, createClient } from '@clickhouse/client';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseConfig } from '@gallery/config';
import { Readable } from 'node:stream';
import { JsonLines } from './json-lines';
import { identifier, tabSeparatedRow } from './sql';

/**
 * Settings sent with every query. 64-bit integers come back as JSON strings so that sums beyond
 * 2^53 stay exact. The server default for this setting changed across versions, so it is explicit.
 */
const QUERY_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 1,
};

/**
 * Settings for an app whose statements are short reads of one collection, such as the query app's
 * endpoints. The server keeps the blocks they decompress in its uncompressed cache, so a repeated
 * read of the same collection skips decompression. The cache's size is `uncompressed_cache_size`
 * in the server config, and 0, the default of current ClickHouse, turns the cache off. The server
 * does not use the cache for a statement that reads more than `merge_tree_max_rows_to_use_cache`
 * rows (1,048,576 by default in 18.16), so large scans do not evict the short reads.
 */
export const SHORT_READ_SETTINGS: ClickHouseSettings = {
  use_uncompressed_cache: 1,
};

/** A table sent with a query: its name in the query, column names and types, and its rows. */
export interface ExternalTable {
  name: string;
  columns: ReadonlyArray<readonly [string, string]>;
  rows: ReadonlyArray<readonly string[]>;
}

/** The one ClickHouse client of an app, with typed query helpers. */
@Injectable()
export class ClickHouseService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClickHouseService.name);
  readonly client: ClickHouseClient;
  readonly database: string;
  private readonly url: string;
  private readonly username: string;
  private readonly password: string;
  /** Settings sent with every statement: {@link QUERY_SETTINGS} and the constructor's. */
  private readonly querySettings: ClickHouseSettings;

  /** Creates the client. `settings`, such as {@link SHORT_READ_SETTINGS}, go with every statement. */
  constructor(config: ClickHouseConfig, settings: ClickHouseSettings = {}) {
    this.database = config.database;
    this.url = config.url.replace(/\/+$/, '');
    this.username = config.username;
    this.password = config.password;
    this.querySettings = { ...QUERY_SETTINGS, ...settings };
    this.client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
      application: 'gallery-analytics',
      request_timeout: 60_000,
      // Sockets idle longer than this are not reused. It is kept well under the server's
      // keep_alive_timeout (3 s in infra/clickhouse/config.xml, the ClickHouse default), because a
      // socket the server has just closed fails the next request with EPIPE.
      keep_alive: { idle_socket_ttl: 1000 },
      clickhouse_settings: this.querySettings,
    });
  }

  /** Runs a SELECT and returns its rows as objects. */
  async query<Row>(query: string): Promise<Row[]> {
    const result = await this.client.query({ query, format: 'JSONEachRow' });
    return result.json<Row>();
  }

  /**
   * Runs a statement that reads a small table sent with the request (ClickHouse "external data"),
   * named `table.name` in the query. An INSERT … SELECT returns no rows. Sending thousands of values this way costs the server far
   * less than parsing them as literals of an IN list.
   */
  async queryWithTable<Row>(query: string, table: ExternalTable): Promise<Row[]> {
    const params = new URLSearchParams({
      query,
      database: this.database,
      default_format: 'JSONEachRow',
      ...Object.fromEntries(Object.entries(this.querySettings).map(([name, value]) => [name, String(value)])),
      [`${table.name}_structure`]: table.columns.map(([name, type]) => `${name} ${type}`).join(', '),
      [`${table.name}_format`]: 'TabSeparated',
    });
    const form = new FormData();
    form.append(table.name, new Blob([table.rows.map((row) => tabSeparatedRow(row)).join('')]), `${table.name}.tsv`);
    const response = await fetch(`${this.url}/?${params.toString()}`, {
      method: 'POST',
      body: form,
      headers: { 'X-ClickHouse-User': this.username, 'X-ClickHouse-Key': this.password },
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse returned HTTP ${response.status}: ${text.trim().slice(0, 500)}`);
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Row);
  }

  /**
   * Runs a SELECT … GROUP BY … WITH TOTALS and returns its rows and its totals row: the same
   * aggregates over every grouped row, before ORDER BY and LIMIT. When no row matches, ClickHouse
   * 18.16 and 26.9 still return a totals row, with counts and sums of 0.
   */
  async queryWithTotals<Row, Totals>(query: string): Promise<{ rows: Row[]; totals: Totals }> {
    const result = await this.client.query({ query, format: 'JSON' });
    const body = await result.json<Row>();
    if (body.totals === undefined) throw new Error('ClickHouse returned no totals row: the statement needs GROUP BY … WITH TOTALS');
    return { rows: body.data, totals: body.totals as unknown as Totals };
  }

  /** Runs a statement that returns no rows (DDL, ALTER, INSERT … SELECT). */
  async command(query: string): Promise<void> {
    await this.client.command({ query });
  }

  /** Inserts rows with one INSERT statement, which ClickHouse writes as one part. */
  async insert<Row extends object>(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table, values: rows as Row[], format: 'JSONEachRow' });
  }

  /**
   * Inserts rows already rendered as JSONEachRow lines with one INSERT: the lines `keep` accepts,
   * or all of them. The body is streamed from the lines' buffers without copying them.
   */
  async insertJsonLines(table: string, lines: JsonLines, keep?: (index: number) => boolean): Promise<void> {
    const result = await this.client.exec({
      query: `INSERT INTO ${identifier(table)} FORMAT JSONEachRow`,
      values: Readable.from(lines.views(keep), { objectMode: false }),
    });
    // The response to an INSERT is empty, but it must be read so that the socket can be reused.
    for await (const chunk of result.stream) void chunk;
  }

  async ping(): Promise<boolean> {
    const result = await this.client.ping();
    return result.success;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    this.logger.log('ClickHouse client closed');
  }
}
