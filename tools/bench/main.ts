import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService, EventRow, migrate, toEventRow } from '@gallery/clickhouse';
import { deleteRunTopics, peakRssMiB, startApps, startQueryApp, stopApps } from './apps';
import { cpuPriority, CpuPids, measureCpu, stackPid } from './cpu';
import { appNodeOptions } from '../node-options';
import { READ_KEY, clickhouseInsertRate, endToEndThroughput, kafkaProduceRate, latencyAtRate, prepareBatches, prepareRows, queryLatencies, newRun } from './measurements';
import { renderMarkdown } from './report';
import { medianPairIndex, pairRatio } from './repetitions';
import { DEFAULT_WORKLOAD, Workload } from './workload';

/**
 * Runs the whole benchmark against the local stack (bash scripts/stack.sh up) and writes
 * bench/results/<time>.json and .md. Sizes can be scaled down with environment variables for a
 * quick run; the defaults are the figures reported in docs/benchmarks.md.
 */

const ROOT = existsSync(join(__dirname, '..', '..', 'package.json')) ? join(__dirname, '..', '..') : join(__dirname, '..', '..', '..');

function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

const SIZES = {
  baselineEvents: sizeFromEnv('BENCH_BASELINE_EVENTS', 200_000),
  endToEndEvents: sizeFromEnv('BENCH_E2E_EVENTS', 200_000),
  latencySeconds: sizeFromEnv('BENCH_LATENCY_SECONDS', 30),
  smallStore: sizeFromEnv('BENCH_SMALL_STORE', 1_000_000),
  largeStore: sizeFromEnv('BENCH_LARGE_STORE', 10_000_000),
  probeEvents: sizeFromEnv('BENCH_PROBE_EVENTS', 5_000),
  queryRequests: sizeFromEnv('BENCH_QUERY_REQUESTS', 200),
  consumers: sizeFromEnv('BENCH_CONSUMERS', 1),
  repeats: Math.max(1, sizeFromEnv('BENCH_REPEATS', 3)),
  warmupEvents: sizeFromEnv('BENCH_WARMUP_EVENTS', 50_000),
};

/** Events per request in the throughput phase and at half load. */
const E2E_BATCH_EVENTS = 500;

function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function versions() {
  const clickhouse = execFileSync('curl', ['-s', 'http://127.0.0.1:8123/?query=SELECT%20version()']).toString().trim();
  return { node: process.version, clickhouse, kafka: process.env.KAFKA_VERSION ?? '4.4.0 (scripts/stack.sh default)' };
}

/**
 * Fills the store up to `target` events with generated rows and returns how many it contains,
 * which is more than `target` when earlier phases stored more.
 */
async function fillStore(clickhouse: ClickHouseService, workload: Workload, target: number): Promise<number> {
  const [row] = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events');
  const stored = Number(row.n);
  let missing = target - stored;
  log(`loading ${Math.max(0, missing)} events directly into ClickHouse`);
  let offset = 1e9 + stored;
  while (missing > 0) {
    const count = Math.min(100_000, missing);
    const rows = Array.from({ length: count }, () => toEventRow(workload.nextEnvelope(), { topic: 'bench.load', partition: 0, offset: offset++ }));
    await clickhouse.insert('events', rows);
    missing -= count;
  }
  return Math.max(stored, target);
}

/**
 * Waits until ClickHouse has no merges running in the client's database (at most `timeoutMs`), so
 * that a phase does not pay for the background merges of the phase before it.
 */
async function waitForMerges(clickhouse: ClickHouseService, timeoutMs = 180_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const [row] = await clickhouse.query<{ running: string }>(`SELECT count() AS running FROM system.merges WHERE database = currentDatabase()`);
    if (Number(row.running) === 0 || Date.now() - started > timeoutMs) return Math.round((Date.now() - started) / 1000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function loadProbeCollection(clickhouse: ClickHouseService, events: number): Promise<void> {
  const probe = new Workload({ ...DEFAULT_WORKLOAD, seed: 7, accounts: ['acct_demo'], collectionsPerAccount: 1 });
  const rows = Array.from({ length: events }, (_, index) => {
    const envelope = probe.nextEnvelope();
    envelope.event.collection_id = 'probe-fixed';
    return toEventRow(envelope, { topic: 'bench.probe', partition: 0, offset: index });
  });
  await clickhouse.insert('events', rows);
}

/**
 * Times every endpoint on the probe collection twice. Requests in a row read the collection from
 * ClickHouse's uncompressed cache after the first one. First reads empty that cache before each
 * request. Both read column files from the operating system's page cache.
 */
async function queryPhase(store: ClickHouseService, queryUrl: string, storedEvents: number) {
  const latency = await queryLatencies(queryUrl, 'probe-fixed', SIZES.queryRequests);
  const emptyCache = () => store.command('SYSTEM DROP UNCOMPRESSED CACHE');
  const firstReadLatency = await queryLatencies(queryUrl, 'probe-fixed', SIZES.queryRequests, emptyCache);
  return { stored_events: storedEvents, probe_collection_events: SIZES.probeEvents, latency, first_read_latency: firstReadLatency };
}

async function main(): Promise<void> {
  const { runId, cacheDir, keysFile } = newRun(ROOT);

  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
    KAFKA_TOPIC: `bench.${runId}.events`,
    KAFKA_CONSUMER_GROUP: `bench-${runId}`,
    CLICKHOUSE_DATABASE: `bench_${runId}`,
    INGEST_PORT: process.env.BENCH_INGEST_PORT ?? '3200',
    QUERY_PORT: process.env.BENCH_QUERY_PORT ?? '3201',
    CONSUMER_PORT: process.env.BENCH_CONSUMER_PORT ?? '3202',
    API_KEYS_FILE: keysFile,
    // BENCH_LOG_LEVEL=info shows, among others, each batch the consumer stores and how long it took.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    RATE_LIMIT_INGEST_PER_SECOND: '0',
    // Ingest signs its messages and the consumer trusts them, as with scripts/apps.sh. An empty value turns signing off.
    EVENT_SIGNING_KEYS: process.env.EVENT_SIGNING_KEYS ?? randomBytes(32).toString('hex'),
    RATE_LIMIT_QUERY_PER_SECOND: '0',
  };
  const clickhouseConfig = { url: env.CLICKHOUSE_URL, database: env.CLICKHOUSE_DATABASE, username: 'default', password: '' };
  const storeDb = `${env.CLICKHOUSE_DATABASE}_store`;

  log(`starting the apps (topic ${env.KAFKA_TOPIC}, database ${env.CLICKHOUSE_DATABASE})`);
  // Node options for the apps, for example a CPU profile: BENCH_APP_NODE_OPTIONS="--cpu-prof
  // --cpu-prof-dir=/tmp/prof" for all three, or BENCH_CONSUMER_NODE_OPTIONS for one of them,
  // which replaces the app's own defaults from scripts/node-options.sh.
  const nodeArgs = (app: string) => [
    ...appNodeOptions(app, process.env.BENCH_APP_NODE_OPTIONS ?? ''),
    ...appNodeOptions(app, process.env[`BENCH_${app.toUpperCase()}_NODE_OPTIONS`]),
  ];
  const apps = await startApps(ROOT, env, join(cacheDir, 'logs'), nodeArgs, SIZES.consumers);
  const clickhouse = new ClickHouseService(clickhouseConfig);
  const results: Record<string, unknown> = {
    run_id: runId,
    started_at: new Date().toISOString(),
    command: 'npm run bench',
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30) },
    versions: versions(),
    sizes: SIZES,
    node_options: Object.fromEntries(['ingest', 'consumer', 'query'].map((app) => [app, nodeArgs(app).join(' ')])),
    cpu_priority: {
      ...Object.fromEntries([...apps.children.entries()].map(([name, child]) => [name, cpuPriority(child.pid)])),
      kafka: cpuPriority(stackPid(ROOT, 'kafka')),
      clickhouse: cpuPriority(stackPid(ROOT, 'clickhouse')),
    },
  };

  try {
    const pids: CpuPids = {
      ...Object.fromEntries([...apps.children.entries()].map(([name, child]) => [name, child.pid])),
      kafka: stackPid(ROOT, 'kafka'),
      clickhouse: stackPid(ROOT, 'clickhouse'),
    };
    // The insert baseline and the end-to-end run are taken in pairs, one right after the other, so
    // that both meet the same state of the machine. The pair with the median ratio is reported.
    // The baseline rows are dropped after the pairs, because 200,000 row objects would lengthen
    // the load generator's own garbage collections in the half-load phases.
    let rows: EventRow[][] | undefined = prepareRows(new Workload(), SIZES.baselineEvents, 50_000);
    const workload = new Workload({ ...DEFAULT_WORKLOAD, seed: 11 });
    const measureInsert = async (repetition: number, rows: EventRow[][]) => {
      // Each baseline runs in a database of its own so it neither disturbs the apps' data nor grows.
      const baselineDb = `${env.CLICKHOUSE_DATABASE}_baseline${repetition}`;
      await migrate({ ...clickhouseConfig, database: baselineDb }, { log: () => undefined });
      const baselineClickhouse = new ClickHouseService({ ...clickhouseConfig, database: baselineDb });
      try {
        const measured = await measureCpu(pids, SIZES.baselineEvents, () => clickhouseInsertRate(baselineClickhouse, rows));
        return { ...measured.result, cpu: measured.cpu };
      } finally {
        await baselineClickhouse.command(`DROP DATABASE ${baselineDb}`);
        await baselineClickhouse.client.close();
      }
    };
    const measureEndToEnd = async () => {
      // Every pair posts new events, because stored ids count once and would never become queryable again.
      const batches = prepareBatches(workload, SIZES.endToEndEvents, E2E_BATCH_EVENTS);
      const measured = await measureCpu(pids, SIZES.endToEndEvents, () => endToEndThroughput(apps, clickhouse, batches, 8));
      return { ...measured.result, cpu: measured.cpu };
    };
    // Kafka's JVM and the apps compile their hot paths during the first seconds under load. Right
    // after the stack started, the first pair ran a fifth slower than the others without this.
    if (SIZES.warmupEvents > 0) {
      log(`warming up with ${SIZES.warmupEvents} events end to end, not measured`);
      const warmup = await endToEndThroughput(apps, clickhouse, prepareBatches(workload, SIZES.warmupEvents, E2E_BATCH_EVENTS), 8);
      results.warmup = { events: warmup.events, events_per_second: warmup.events_per_second };
    }
    const pairs: Array<{ insert: Awaited<ReturnType<typeof measureInsert>>; endToEnd: Awaited<ReturnType<typeof measureEndToEnd>> }> = [];
    // Each measured phase starts once the merges of the apps' earlier inserts have finished, so it
    // does not share the CPU with the merges of the phase before it.
    const settle = async (phase: string) => log(`waited ${await waitForMerges(clickhouse)} s for background merges before ${phase}`);
    for (let repetition = 1; repetition <= SIZES.repeats; repetition++) {
      await settle(`pair ${repetition}`);
      log(`pair ${repetition} of ${SIZES.repeats}: ClickHouse insert baseline`);
      const insert = await measureInsert(repetition, rows);
      await settle(`end to end ${repetition}`);
      log(`pair ${repetition} of ${SIZES.repeats}: end-to-end throughput`);
      pairs.push({ insert, endToEnd: await measureEndToEnd() });
      if (repetition === 1) {
        log('baseline: kafkajs produce rate');
        results.kafka_produce = await kafkaProduceRate(env.KAFKA_BROKERS.split(','), `${env.KAFKA_TOPIC}.dlq`, new Workload({ ...DEFAULT_WORKLOAD, seed: 3 }), SIZES.baselineEvents, 1000, 4);
      }
    }
    rows = undefined;
    const paired = pairs.map(({ insert, endToEnd }) => ({ insertRowsPerSecond: insert.rows_per_second, endToEndEventsPerSecond: endToEnd.events_per_second }));
    const medianIndex = medianPairIndex(paired);
    const throughput = pairs[medianIndex].endToEnd;
    results.clickhouse_insert = pairs[medianIndex].insert;
    results.end_to_end = { ...throughput, ratio_to_clickhouse_insert: pairRatio(paired[medianIndex]) };
    results.pairs = paired.map((pair, index) => ({
      ...pair,
      ratio: pairRatio(pair),
      reported: index === medianIndex,
      endToEndCpuMicrosecondsPerEvent: pairs[index].endToEnd.cpu.total.us_per_event,
    }));

    await settle('half load');
    log('latency at half of the sustained throughput');
    // Half load is the throughput phase's load at half its rate: the same requests of 500 events,
    // half as often. The same event rate in requests of 100 events follows, because producers
    // that post smaller batches cost the apps more per event. Each size runs twice: with the
    // event-to-queryable probe, whose polling loads ClickHouse and the query app, and without it.
    // Bodies are prepared before each phase; repeated event ids count once, which does not matter here.
    const halfRate = throughput.events_per_second / 2;
    const phaseEvents = Math.round(halfRate * SIZES.latencySeconds);
    // Each phase's bodies are local to its call, so they can be collected once it ends.
    const atHalfRate = async (batchSize: number, probe: boolean) => {
      const bodies = prepareBatches(workload, Math.min(phaseEvents, 400_000), batchSize);
      const { result, cpu } = await measureCpu(pids, phaseEvents, () => latencyAtRate(apps, workload, bodies, halfRate, SIZES.latencySeconds, probe));
      return { ...result, cpu };
    };
    results.half_load = await atHalfRate(E2E_BATCH_EVENTS, true);
    log('latency at half load without the probe');
    results.half_load_without_probe = await atHalfRate(E2E_BATCH_EVENTS, false);
    log('latency at the same event rate in requests of 100 events');
    results.half_load_small_requests = await atHalfRate(100, true);
    log('latency in requests of 100 events without the probe');
    results.half_load_small_requests_without_probe = await atHalfRate(100, false);

    // The query phases read a database of their own, filled straight into ClickHouse, so that it
    // contains exactly the configured sizes, whatever the phases above stored.
    await migrate({ ...clickhouseConfig, database: storeDb }, { log: () => undefined });
    const store = new ClickHouseService({ ...clickhouseConfig, database: storeDb });
    try {
      const storeQueryUrl = await startQueryApp(apps, ROOT, nodeArgs, 'query-store', storeDb, Number(env.QUERY_PORT) + 3);
      await loadProbeCollection(store, SIZES.probeEvents);
      const smallStore = await fillStore(store, workload, SIZES.smallStore);
      log(`waited ${await waitForMerges(store)} s for background merges`);
      log(`query latency with ${smallStore} events stored`);
      results.queries_small = await queryPhase(store, storeQueryUrl, smallStore);
      const largeStore = await fillStore(store, workload, SIZES.largeStore);
      log(`waited ${await waitForMerges(store)} s for background merges`);
      log(`query latency with ${largeStore} events stored`);
      results.queries_large = await queryPhase(store, storeQueryUrl, largeStore);
    } finally {
      await store.client.close();
    }

    results.peak_rss_mib = Object.fromEntries([...apps.children.entries()].map(([name, child]) => [name, peakRssMiB(child)]));
  } finally {
    await stopApps(apps);
    if (process.env.BENCH_KEEP_DATA !== '1') {
      for (const database of [storeDb, env.CLICKHOUSE_DATABASE]) {
        await clickhouse.command(`DROP DATABASE IF EXISTS ${database}`).catch((error: Error) => log(`failed to drop database ${database}: ${error.message}. Drop it with DROP DATABASE.`));
      }
      await deleteRunTopics(env.KAFKA_BROKERS.split(','), env.KAFKA_TOPIC);
    }
    await clickhouse.client.close();
  }

  results.finished_at = new Date().toISOString();
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, (results.started_at as string).replace(/[:.]/g, '-'));
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${base}.md`, renderMarkdown(results));
  console.log(renderMarkdown(results));
  log(`wrote ${base}.json and ${base}.md`);
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
