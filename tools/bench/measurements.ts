import { ClickHouseService, EventRow, toEventRow } from '@gallery/clickhouse';
import { partitionKey } from '@gallery/contract';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Kafka, Partitioners } from 'kafkajs';
import { RunningApps } from './apps';
import { ingestShares, readMetrics } from './app-histograms';
import { latencySummary, round } from './stats';
import { DEFAULT_WORKLOAD, Workload } from './workload';

/** Returns the ingest key the benchmark writes into its own key file for an account. */
export function benchIngestKey(accountId: string): string {
  return `bench-ingest-${accountId}-0000`;
}

/** The read key of acct_demo in the benchmark's key file. */
export const READ_KEY = 'bench-read-acct_demo-0000';

/** Creates a run id and the run's cache folder, containing the benchmark's key file. */
export function newRun(root: string): { runId: string; cacheDir: string; keysFile: string } {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const cacheDir = join(root, '.cache', 'bench', runId);
  mkdirSync(cacheDir, { recursive: true });
  const keysFile = join(cacheDir, 'api-keys.json');
  writeKeysFile(keysFile);
  return { runId, cacheDir, keysFile };
}

/** Writes the benchmark's key file: an ingest key for every account of the workload, and the read key. */
function writeKeysFile(path: string): void {
  const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
  const keys = DEFAULT_WORKLOAD.accounts.map((account) => ({ id: `bench-${account}`, account_id: account, scopes: ['ingest'], key_sha256: sha256(benchIngestKey(account)) }));
  keys.push({ id: 'bench-read', account_id: 'acct_demo', scopes: ['read'], key_sha256: sha256(READ_KEY) });
  writeFileSync(path, JSON.stringify({ keys }, null, 2));
}

/** Generates `total` rows of the `events` table in batches of `batchSize`, before any measuring. */
export function prepareRows(workload: Workload, total: number, batchSize: number, topic = 'bench.direct'): EventRow[][] {
  const batches: EventRow[][] = [];
  for (let offset = 0; offset < total; offset += batchSize) {
    batches.push(Array.from({ length: Math.min(batchSize, total - offset) }, (_, index) => toEventRow(workload.nextEnvelope(), { topic, partition: 0, offset: offset + index })));
  }
  return batches;
}

/** Inserts prepared batches straight into `events`, one JSONEachRow INSERT each, one after another. */
export async function clickhouseInsertRate(clickhouse: ClickHouseService, batches: EventRow[][]) {
  const total = batches.reduce((sum, batch) => sum + batch.length, 0);
  const started = performance.now();
  for (const rows of batches) await clickhouse.insert('events', rows);
  const seconds = (performance.now() - started) / 1000;
  return { rows: total, batch_size: batches[0]?.length ?? 0, seconds: round(seconds, 2), rows_per_second: Math.round(total / seconds) };
}

/** Produces `total` envelopes with idempotent producers, acks from all in-sync replicas. */
export async function kafkaProduceRate(brokers: string[], topic: string, workload: Workload, total: number, batchSize: number, producers: number) {
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: 1 });
  const clients = await Promise.all(
    Array.from({ length: producers }, async () => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    }),
  );
  const batches: Array<Array<{ key: string; value: string }>> = [];
  for (let sent = 0; sent < total; sent += batchSize) {
    batches.push(
      Array.from({ length: Math.min(batchSize, total - sent) }, () => {
        const envelope = workload.nextEnvelope();
        return { key: partitionKey(envelope.account_id, envelope.event.collection_id), value: JSON.stringify(envelope) };
      }),
    );
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    clients.map(async (producer) => {
      while (next < batches.length) {
        const messages = batches[next++];
        await producer.send({ topic, acks: -1, messages });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((producer) => producer.disconnect()));
  return { messages: total, batch_size: batchSize, producers, seconds: round(seconds, 2), messages_per_second: Math.round(total / seconds) };
}

/** Throws when an app has exited, so the benchmark fails instead of waiting for it forever. */
function assertAppsRunning(apps: RunningApps): void {
  for (const [name, child] of apps.children) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the ${name} app exited (${child.signalCode ?? `code ${child.exitCode}`}); its log is in ${apps.logDir}`);
    }
  }
}

/** A request body ready to post: the account whose key sends it, and the JSON text in UTF-8. */
export interface PreparedBatch {
  accountId: string;
  events: number;
  body: Buffer;
}

/**
 * Connections the load generator keeps open to the apps. node:http costs the load generator less
 * CPU per request than fetch, and the load generator shares the machine with what it measures.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Posts one batch and resolves with its latency in milliseconds, from sending to the last byte of the response. */
function post(ingestUrl: string, batch: PreparedBatch): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = { 'content-type': 'application/json', 'content-length': batch.body.length, authorization: `Bearer ${benchIngestKey(batch.accountId)}` };
    const sent = request(`${ingestUrl}/api/v1/events`, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('error', reject);
      response.on('end', () => {
        if (response.statusCode === 202) resolve(performance.now() - started);
        else reject(new Error(`ingest returned status ${response.statusCode} for a batch of ${batch.events} events; see the app logs`));
      });
    });
    sent.on('error', reject);
    sent.end(batch.body);
  });
}

function prepare(accountId: string, events: unknown[]): PreparedBatch {
  return { accountId, events: events.length, body: Buffer.from(JSON.stringify({ events }), 'utf8') };
}

/**
 * Generates the request bodies of `total` events in per-account batches of at most `batchSize`,
 * before any measuring starts, so the load generator spends its time sending. Each batch is
 * encoded as soon as it is full, in the order the batches fill, and the accounts' last batches may
 * be shorter. The event objects die young, so the load generator does not carry a large heap,
 * whose collections would pause it in the middle of a measured phase.
 */
export function prepareBatches(workload: Workload, total: number, batchSize: number): PreparedBatch[] {
  const pending = new Map<string, unknown[]>();
  const batches: PreparedBatch[] = [];
  for (let i = 0; i < total; i++) {
    const envelope = workload.nextEnvelope();
    const events = pending.get(envelope.account_id) ?? [];
    events.push(envelope.event);
    if (events.length < batchSize) {
      pending.set(envelope.account_id, events);
      continue;
    }
    batches.push(prepare(envelope.account_id, events));
    pending.delete(envelope.account_id);
  }
  for (const [accountId, events] of pending) batches.push(prepare(accountId, events));
  return batches;
}

/**
 * Posts the batches with `concurrency` clients, each posting its next batch once the response to
 * the last one arrived. Resolves with every request's latency.
 */
export async function postAll(ingestUrl: string, batches: readonly PreparedBatch[], concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        latencies.push(await post(ingestUrl, batch));
      }
    }),
  );
  return latencies;
}

async function countEvents(clickhouse: ClickHouseService): Promise<number> {
  const [row] = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM events');
  return Number(row.n);
}

/**
 * Posts `total` events through the ingest API with `concurrency` parallel clients and measures
 * events per second from the first request until ClickHouse contains all of them.
 */
export async function endToEndThroughput(apps: RunningApps, clickhouse: ClickHouseService, batches: PreparedBatch[], concurrency: number) {
  const before = await countEvents(clickhouse);
  const total = batches.reduce((sum, batch) => sum + batch.events, 0);
  const started = performance.now();
  const latencies = await postAll(apps.ingestUrl, batches, concurrency);
  const acknowledgedSeconds = (performance.now() - started) / 1000;
  while ((await countEvents(clickhouse)) < before + total) {
    assertAppsRunning(apps);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    events: total,
    batch_size: Math.max(...batches.map((batch) => batch.events)),
    concurrency,
    seconds_until_acknowledged: round(acknowledgedSeconds, 2),
    seconds_until_queryable: round(seconds, 2),
    events_per_second: Math.round(total / seconds),
    request_latency: latencySummary(latencies),
  };
}

/** Interval of the timer that measures the load generator's event loop delay. */
const LOOP_DELAY_TIMER_MS = 5;

/**
 * Converts a time between two ticks of that timer, in nanoseconds, to how late the second tick came,
 * in milliseconds. On an idle machine the histogram's median is about the interval itself.
 */
function lateBy(nanoseconds: number): number {
  return round(Math.max(0, nanoseconds / 1e6 - LOOP_DELAY_TIMER_MS));
}

/**
 * How often the marker's collection is read while waiting for it. Each read runs several
 * statements, so polling much faster would load ClickHouse more than the events do.
 */
const POLL_INTERVAL_MS = 50;

/**
 * Posts the prepared bodies at a fixed event rate for `seconds`, starting over when they run out,
 * and measures request latency. With `probe`, it also posts marker events to fresh collections and
 * polls the query API until each appears, which gives the event-to-queryable latency. The polling
 * loads ClickHouse and the query app, so the benchmark also measures the same rate without it.
 */
export async function latencyAtRate(apps: RunningApps, workload: Workload, bodies: PreparedBatch[], eventsPerSecond: number, seconds: number, probe: boolean) {
  const batchSize = Math.max(...bodies.map((batch) => batch.events));
  const requestLatencies: number[] = [];
  const visibleLatencies: number[] = [];
  const intervalMs = (batchSize / eventsPerSecond) * 1000;
  const inFlight: Array<Promise<void>> = [];
  let tick = 0;
  const metricsBefore = await readMetrics(apps.ingestUrl);
  // A response that arrives while the load generator's own event loop is busy is timed late, so
  // that loop's delay is reported beside the latencies.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_TIMER_MS });
  loopDelay.enable();
  const end = performance.now() + seconds * 1000;

  const markers = (async () => {
    let index = 0;
    while (probe && performance.now() < end) {
      const collection = `probe-latency-${Date.now()}-${index++}`;
      const envelope = workload.nextEnvelope();
      const event = { ...envelope.event, collection_id: collection, type: 'photo.downloaded' };
      const marker = {
        event_id: event.event_id,
        type: 'photo.downloaded',
        schema_version: 1,
        occurred_at: new Date().toISOString(),
        collection_id: collection,
        client: { id: 'probe' },
        photo: { id: 'probe', file_name: 'probe.jpg', format: 'jpeg' },
        status: 'completed',
        bytes_transferred: 1,
      };
      const started = performance.now();
      await post(apps.ingestUrl, prepare('acct_demo', [marker]));
      for (;;) {
        const response = await fetch(`${apps.queryUrl}/api/v1/collections/${collection}/photo_downloads?limit=1`, { headers: { 'x-api-key': READ_KEY } });
        const body = (await response.json()) as { data?: { totals?: { downloads?: number } } };
        if (body.data?.totals?.downloads === 1) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
      visibleLatencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();

  const startedAt = performance.now();
  while (performance.now() < end) {
    const due = startedAt + tick * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    tick++;
    const batch = bodies[tick % bodies.length];
    inFlight.push(post(apps.ingestUrl, batch).then((ms) => void requestLatencies.push(ms)));
  }
  await Promise.all(inFlight);
  loopDelay.disable();
  const metricsAfter = await readMetrics(apps.ingestUrl);
  await markers;
  return {
    target_events_per_second: Math.round(eventsPerSecond),
    batch_size: batchSize,
    seconds,
    poll_interval_ms: probe ? POLL_INTERVAL_MS : undefined,
    ingest_request_latency: latencySummary(requestLatencies),
    // The same requests as the ingest app timed them, and its wait for Kafka, markers included.
    ingest_request_shares: {
      client_within_25_ms: requestLatencies.filter((ms) => ms <= 25).length / requestLatencies.length,
      ...ingestShares(metricsBefore, metricsAfter),
    },
    event_to_queryable_latency: probe ? latencySummary(visibleLatencies) : undefined,
    load_generator_loop_delay: { p99_ms: lateBy(loopDelay.percentile(99)), max_ms: lateBy(loopDelay.max) },
  };
}

export const ENDPOINTS = ['photo_downloads', 'gallery_video_downloads', 'downloads/', 'photo_sharing_links', 'favorites'];

/**
 * Measures each endpoint's latency for one collection, after a warm-up, with one request at a
 * time. `beforeEach` runs before each request, outside the timed part.
 */
export async function queryLatencies(queryUrl: string, collection: string, requests: number, beforeEach?: () => Promise<void>) {
  const result: Record<string, ReturnType<typeof latencySummary>> = {};
  const paths = [...ENDPOINTS.map((endpoint) => `/api/v1/collections/${collection}/${endpoint}`), '/api/v1/photos/starred'];
  for (const path of paths) {
    const samples: number[] = [];
    for (let i = 0; i < requests + 5; i++) {
      if (beforeEach) await beforeEach();
      const started = performance.now();
      const response = await fetch(`${queryUrl}${path}`, { headers: { 'x-api-key': READ_KEY } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path} returned status ${response.status}; see the app logs`);
      if (i >= 5) samples.push(performance.now() - started);
    }
    result[path.replace(`/collections/${collection}/`, '/collections/{id}/')] = latencySummary(samples);
  }
  return result;
}
