import { randomUUID } from 'node:crypto';
import { ClickHouseService, identifier, SHORT_READ_SETTINGS, sql } from '@gallery/clickhouse';
import { readTestRun } from './support/test-env';

/**
 * Statements sent with SHORT_READ_SETTINGS use ClickHouse's uncompressed cache, and others do not.
 * The test compares the server-wide counters of cache lookups before and after each statement, so
 * it needs nothing else reading through the cache meanwhile, as under jest's --runInBand.
 */
describe('short-read settings on ClickHouse', () => {
  const run = readTestRun();
  const database = `short_reads_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const config = { url: run.env.CLICKHOUSE_URL, database, username: 'default', password: '' };
  const admin = new ClickHouseService({ ...config, database: 'system' });
  const shortReads = new ClickHouseService(config, SHORT_READ_SETTINGS);
  const plain = new ClickHouseService(config);

  beforeAll(async () => {
    await admin.command(sql`CREATE DATABASE ${identifier(database)}`);
    await plain.command('CREATE TABLE samples (id UInt64, label String) ENGINE = MergeTree ORDER BY id');
    await plain.command(`INSERT INTO samples SELECT number, concat('label-', toString(number)) FROM system.numbers LIMIT 20000`);
  });

  afterAll(async () => {
    await admin.command(sql`DROP DATABASE IF EXISTS ${identifier(database)}`);
    await Promise.all([admin.client.close(), shortReads.client.close(), plain.client.close()]);
  });

  /** Sum of the server's uncompressed cache hits and misses since it started. */
  async function cacheLookups(): Promise<number> {
    const [row] = await admin.query<{ lookups: string }>(
      `SELECT toString(sum(value)) AS lookups FROM system.events WHERE event IN ('UncompressedCacheHits', 'UncompressedCacheMisses')`,
    );
    return Number(row.lookups);
  }

  const READ = 'SELECT toString(sum(length(label))) AS total FROM samples WHERE id < 15000';

  it('query uses the cache', async () => {
    const before = await cacheLookups();
    const [row] = await shortReads.query<{ total: string }>(READ);
    expect(Number(row.total)).toBeGreaterThan(0);
    expect(await cacheLookups()).toBeGreaterThan(before);
  });

  it('queryWithTable uses the cache', async () => {
    const before = await cacheLookups();
    const rows = await shortReads.queryWithTable<{ found: string }>('SELECT toString(id) AS found FROM samples WHERE id IN (SELECT id FROM wanted)', {
      name: 'wanted',
      columns: [['id', 'UInt64']],
      rows: [['7'], ['14007']],
    });
    expect(rows.map((row) => row.found).sort()).toEqual(['14007', '7']);
    expect(await cacheLookups()).toBeGreaterThan(before);
  });

  it('default service skips the cache', async () => {
    const before = await cacheLookups();
    const [row] = await plain.query<{ total: string }>(READ);
    expect(Number(row.total)).toBeGreaterThan(0);
    expect(await cacheLookups()).toBe(before);
  });
});
