import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { deleteRunTopics, startIngest, stopApps } from './apps';
import { cpuSeconds, stackPid } from './cpu';
import { appNodeOptions } from '../node-options';
import { postAll, prepareBatches, newRun } from './measurements';
import { row } from './report';
import { latencySummary, round } from './stats';
import { DEFAULT_WORKLOAD, Workload } from './workload';

/**
 * Measures what one ingest request costs, by the number of events it carries: the ingest app's
 * CPU per request and per event, requests per second, and latency. Only the ingest app and Kafka
 * run; nothing consumes the topic. Run with `npm run bench:ingest` against `bash scripts/stack.sh up`.
 */

const ROOT = existsSync(join(__dirname, '..', '..', 'package.json')) ? join(__dirname, '..', '..') : join(__dirname, '..', '..', '..');

/** Events per request, parallel clients, and how many requests are measured after the warm-up. */
const CASES = [
  { events: 1, concurrency: 8, requests: 8_000 },
  { events: 1, concurrency: 32, requests: 8_000 },
  { events: 10, concurrency: 8, requests: 4_000 },
  { events: 100, concurrency: 8, requests: 1_500 },
  { events: 500, concurrency: 8, requests: 400 },
];

/** Share of each case's requests posted first, unmeasured, so that V8 has compiled the hot paths. */
const WARM_UP_SHARE = 0.2;

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const { runId, cacheDir, keysFile } = newRun(ROOT);
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC: `bench.${runId}.requests`,
    INGEST_PORT: process.env.BENCH_INGEST_PORT ?? '3200',
    API_KEYS_FILE: keysFile,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_INGEST_PER_SECOND: '0',
    // Ingest signs its messages and the consumer trusts them, as with scripts/apps.sh. An empty value turns signing off.
    EVENT_SIGNING_KEYS: process.env.EVENT_SIGNING_KEYS ?? randomBytes(32).toString('hex'),
  };
  const nodeOptions = appNodeOptions('ingest', process.env.BENCH_INGEST_NODE_OPTIONS);
  const apps = await startIngest(ROOT, env, join(cacheDir, 'logs'), () => nodeOptions);
  const ingestPid = apps.children.get('ingest')?.pid;
  const kafkaPid = stackPid(ROOT, 'kafka');
  const workload = new Workload({ ...DEFAULT_WORKLOAD, seed: 19 });
  const results = [];
  try {
    // The broker and the app start cold; the first case would otherwise pay for their warm-up.
    await postAll(apps.ingestUrl, prepareBatches(workload, 4_000, 1), 8);
    for (const { events, concurrency, requests } of CASES) {
      const warmUp = prepareBatches(workload, Math.ceil(requests * WARM_UP_SHARE) * events, events);
      // Per-account batching can leave a shorter last batch per account; only full ones are measured.
      const batches = prepareBatches(workload, Math.ceil(requests * 1.1) * events, events)
        .filter((batch) => batch.events === events)
        .slice(0, requests);
      await postAll(apps.ingestUrl, warmUp, concurrency);
      const ingestBefore = cpuSeconds(ingestPid);
      const kafkaBefore = cpuSeconds(kafkaPid);
      const started = performance.now();
      const latencies = await postAll(apps.ingestUrl, batches, concurrency);
      const seconds = (performance.now() - started) / 1000;
      const ingestCpu = (cpuSeconds(ingestPid) ?? Number.NaN) - (ingestBefore ?? Number.NaN);
      const kafkaCpu = (cpuSeconds(kafkaPid) ?? Number.NaN) - (kafkaBefore ?? Number.NaN);
      const result = {
        events_per_request: events,
        concurrency,
        requests: batches.length,
        requests_per_second: Math.round(batches.length / seconds),
        events_per_second: Math.round((batches.length * events) / seconds),
        ingest_cpu_us_per_request: Math.round((ingestCpu * 1e6) / batches.length),
        ingest_cpu_us_per_event: round((ingestCpu * 1e6) / (batches.length * events)),
        kafka_cpu_us_per_request: Math.round((kafkaCpu * 1e6) / batches.length),
        latency: latencySummary(latencies),
      };
      console.error(`[bench:ingest] ${events} event(s) per request, ${concurrency} clients: ${result.requests_per_second} requests/s, ${result.ingest_cpu_us_per_request} µs of ingest CPU per request`);
      results.push(result);
    }
  } finally {
    await stopApps(apps);
    if (process.env.BENCH_KEEP_DATA !== '1') await deleteRunTopics(env.KAFKA_BROKERS.split(','), env.KAFKA_TOPIC);
  }

  const columns = ['events per request', 'clients', 'requests/s', 'events/s', 'ingest CPU per request', 'ingest CPU per event', 'Kafka CPU per request', 'p50', 'p99'];
  const rows = results.map((result) =>
    row([
      result.events_per_request,
      result.concurrency,
      result.requests_per_second,
      result.events_per_second,
      `${result.ingest_cpu_us_per_request} µs`,
      `${result.ingest_cpu_us_per_event} µs`,
      `${result.kafka_cpu_us_per_request} µs`,
      `${result.latency.p50_ms} ms`,
      `${result.latency.p99_ms} ms`,
    ]),
  );
  const markdown = [
    `# Ingest cost per request, run ${runId}`,
    '',
    `Command: \`npm run bench:ingest\`; ${startedAt}; ${cpus().length} × ${cpus()[0]?.model}; Node ${process.version}. Only the ingest app and Kafka run. Ingest's Node options: \`${nodeOptions.join(' ')}\`.`,
    '',
    row(columns),
    row(columns.map(() => '---')),
    ...rows,
    '',
  ].join('\n');
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `ingest-${startedAt.replace(/[:.]/g, '-')}`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ run_id: runId, started_at: startedAt, command: 'npm run bench:ingest', node_options: nodeOptions.join(' '), results }, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  console.log(markdown);
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
