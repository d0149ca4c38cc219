import 'reflect-metadata';
import { ClickHouseService, DEDUPLICATION_CHUNK_ROWS, EventKey, findStoredByKeyTable, findStoredInTable, migrate, toEventRow } from '@gallery/clickhouse';
import { cpuSeconds, stackPid } from './cpu';
import { Workload } from './workload';

/**
 * Measures what the consumer's ClickHouse work costs the server per row, from the server's CPU
 * time in /proc. It covers inserts of three sizes, with every materialized view attached, and both
 * ways to find stored event ids: IN lists over `events`, and the `event_keys` lookup.
 * It runs against the local stack in a database of its own, which it drops. Run it with
 * `npm run bench:clickhouse`; BENCH_CH_ROWS sets the rows per measurement (default 100,000).
 */

const ROOT = `${__dirname}/../../..`;
const ROWS = Number(process.env.BENCH_CH_ROWS ?? 100_000);
const serverPid = stackPid(ROOT, 'clickhouse');

async function perRow(name: string, rows: number, work: () => Promise<void>): Promise<void> {
  const serverBefore = cpuSeconds(serverPid);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const serverAfter = cpuSeconds(serverPid);
  const server = serverBefore === null || serverAfter === null ? 'unknown' : `${(((serverAfter - serverBefore) * 1e6) / rows).toFixed(1)} µs`;
  console.log(`| ${name} | ${server} | ${Math.round(rows / seconds)} |`);
}

async function main(): Promise<void> {
  const database = `bench_ch_${Date.now().toString(36)}`;
  const config = { url: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123', database, username: 'default', password: '' };
  await migrate(config, { log: () => undefined });
  const clickhouse = new ClickHouseService(config);
  const workload = new Workload();
  let offset = 0;
  const generate = (count: number) => Array.from({ length: count }, () => toEventRow(workload.nextEnvelope(), { topic: 'bench.ch', partition: 0, offset: offset++ }));

  try {
    const sample = generate(10_000).map((row) => Buffer.byteLength(JSON.stringify(row)));
    console.log(`JSONEachRow line of an event: ${Math.round(sample.reduce((sum, bytes) => sum + bytes, 0) / sample.length)} bytes on average over ${sample.length} rows\n`);
    console.log(`ClickHouse server CPU per row, ${ROWS} rows per line (${serverPid ? `server pid ${serverPid}` : 'server pid unknown'})\n`);
    console.log('| operation | server CPU per row | rows/s |');
    console.log('| --- | --- | --- |');
    for (const size of [2_000, 10_000, 50_000]) {
      const rows = generate(ROWS);
      await perRow(`INSERT, ${size} rows each`, ROWS, async () => {
        for (let start = 0; start < rows.length; start += size) await clickhouse.insert('events', rows.slice(start, start + size));
      });
    }

    const stored = (await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events'))[0].n;
    // Half of the looked-up ids are stored, as after a retried request; half are new.
    const probe = [...generate(ROWS / 2), ...(await clickhouse.query<EventKey>(`SELECT account_id, collection_id, event_id FROM events LIMIT ${ROWS / 2}`))];
    await perRow(`stored ids, IN lists over events (${stored} stored), ${DEDUPLICATION_CHUNK_ROWS} per statement`, probe.length, async () => {
      await findStoredInTable(clickhouse, 'events', probe);
    });
    await perRow(`stored ids, event_keys lookup (${stored} stored), 15000 per statement`, probe.length, async () => {
      for (let start = 0; start < probe.length; start += 15_000) await findStoredByKeyTable(clickhouse, 'event_keys', probe.slice(start, start + 15_000));
    });
  } finally {
    await clickhouse.command(`DROP DATABASE IF EXISTS ${database}`);
    await clickhouse.client.close();
  }
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
