import { ClickHouseClient, ClickHouseSettings, createClient } from '@clickhouse/client';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseConfig } from '@gallery/config';

/**
 * Settings sent with every query. 64-bit integers come back as JSON strings so that sums beyond
 * 2^53 stay exact. The server default for this setting changed across versions, so it is explicit.
 */
const QUERY_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 1,
};

/** The one ClickHouse client of an app, with typed query helpers. */
@Injectable()
export class ClickHouseService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClickHouseService.name);
  readonly client: ClickHouseClient;
  readonly database: string;

  constructor(config: ClickHouseConfig) {
    this.database = config.database;
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
    });
  }

  /** Runs a SELECT and returns its rows as objects. */
  async query<Row>(query: string): Promise<Row[]> {
    const result = await this.client.query({ query, format: 'JSONEachRow', clickhouse_settings: QUERY_SETTINGS });
    return result.json<Row>();
  }

  /**
   * Runs a SELECT … GROUP BY … WITH TOTALS and returns its rows and its totals row: the same
   * aggregates over every grouped row, before ORDER BY and LIMIT. When no row matches, ClickHouse
   * 18.16 and 26.9 still return a totals row, with counts and sums of 0.
   */
  async queryWithTotals<Row, Totals>(query: string): Promise<{ rows: Row[]; totals: Totals }> {
    const result = await this.client.query({ query, format: 'JSON', clickhouse_settings: QUERY_SETTINGS });
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

  async ping(): Promise<boolean> {
    const result = await this.client.ping();
    return result.success;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    this.logger.log('ClickHouse client closed');
  }
}
