import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_RUN_FILE, TestRun } from './support/test-env';
import { appNodeOptions } from '../tools/node-options';

const ROOT = join(__dirname, '..');
const START_TIMEOUT_MS = 60_000;

async function waitUntil(what: string, check: () => Promise<boolean>, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not become ready within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
}

function startApp(name: string, env: Record<string, string>, logDir: string): ChildProcess {
  const main = join(ROOT, 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build before the end-to-end tests`);
  const log = openSync(join(logDir, `${name}.log`), 'w');
  const child = spawn(process.execPath, [...appNodeOptions(name), main], { env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: false });
  closeSync(log);
  return child;
}

/**
 * Starts the three apps from dist/ against the local Kafka and ClickHouse, with a topic, consumer
 * group and database of their own, so a run neither sees nor disturbs the data of another run.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const logDir = join(ROOT, '.cache', 'e2e-logs', runId);
  mkdirSync(logDir, { recursive: true });

  const env: Record<string, string> = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
    KAFKA_TOPIC: `e2e.${runId}.events`,
    KAFKA_CONSUMER_GROUP: `e2e-${runId}`,
    CLICKHOUSE_DATABASE: `e2e_${runId}`,
    INGEST_PORT: process.env.E2E_INGEST_PORT ?? '3100',
    QUERY_PORT: process.env.E2E_QUERY_PORT ?? '3101',
    CONSUMER_PORT: process.env.E2E_CONSUMER_PORT ?? '3102',
    API_KEYS_FILE: join(ROOT, 'config', 'api-keys.dev.json'),
    LOG_LEVEL: 'info',
    // Ingest signs its messages and the consumer trusts them, as with scripts/apps.sh. An empty value turns signing off.
    EVENT_SIGNING_KEYS: process.env.EVENT_SIGNING_KEYS ?? randomBytes(32).toString('hex'),
  };
  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}`;
  const queryUrl = `http://127.0.0.1:${env.QUERY_PORT}`;

  const clickhouseUp = await fetch(`${env.CLICKHOUSE_URL}/ping`).then((r) => r.ok).catch(() => false);
  if (!clickhouseUp) throw new Error(`ClickHouse does not answer at ${env.CLICKHOUSE_URL}: start the stack with bash scripts/stack.sh up`);

  // The consumer applies the migrations and creates the topics, so it starts first.
  const children = [startApp('consumer', env, logDir)];
  const run: TestRun = { runId, ingestUrl, queryUrl, env, pids: [], logDir };
  const saveRun = () => {
    run.pids = children.map((child) => child.pid as number);
    writeFileSync(TEST_RUN_FILE, JSON.stringify(run, null, 2));
  };
  saveRun();

  await waitUntil(
    'the consumer',
    async () => {
      const response = await fetch(`${env.CLICKHOUSE_URL}/?query=${encodeURIComponent(`EXISTS TABLE ${env.CLICKHOUSE_DATABASE}.schema_migrations`)}`);
      return response.ok && (await response.text()).trim() === '1';
    },
    join(logDir, 'consumer.log'),
  );
  children.push(startApp('ingest', env, logDir), startApp('query', env, logDir));
  saveRun();

  await waitUntil('the ingest app', async () => (await fetch(`${ingestUrl}/health`)).ok, join(logDir, 'ingest.log'));
  await waitUntil('the query app', async () => (await fetch(`${queryUrl}/health`)).ok, join(logDir, 'query.log'));
  for (const child of children) child.unref();
}
