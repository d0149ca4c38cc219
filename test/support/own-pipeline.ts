import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, JsonResponse } from './api';
import { clickhouseQuery } from './clickhouse';
import { readTestRun } from './test-env';
import { appCommand, appNodeOptions } from '../../tools/node-options';

const ROOT = join(__dirname, '..', '..');

export type AppName = 'consumer' | 'ingest' | 'query';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Finds a free loopback port by binding port 0 and closing it again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Apps of one test with a Kafka topic, consumer group and ClickHouse database of their own, on
 * the run's broker and server. Fault tests crash and restart these processes without touching
 * the apps that global-setup started for the other tests.
 */
export class OwnPipeline {
  private readonly processes = new Map<AppName, { child: ChildProcess; exit: Promise<ExitStatus> }>();
  private starts = 0;

  private constructor(
    readonly name: string,
    readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  /** `topic` makes the pipeline read another pipeline's topic, for example as a no-fault reference. */
  static async create(name: string, options: { topic?: string } = {}): Promise<OwnPipeline> {
    const run = readTestRun();
    // Database names allow letters, digits and _ only.
    const id = `${name.replace(/[^A-Za-z0-9]/g, '_')}_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const [ingestPort, queryPort, consumerPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const env: Record<string, string> = {
      ...run.env,
      KAFKA_TOPIC: options.topic ?? `fault.${id}.events`,
      KAFKA_CONSUMER_GROUP: `fault-${id}`,
      CLICKHOUSE_DATABASE: `fault_${id}`,
      INGEST_PORT: String(ingestPort),
      QUERY_PORT: String(queryPort),
      CONSUMER_PORT: String(consumerPort),
      // Short so that the fault tests see retries and watermarks within seconds.
      CONSUMER_WATERMARK_INTERVAL_MS: '500',
    };
    return new OwnPipeline(name, env, run.logDir);
  }

  get topic(): string {
    return this.env.KAFKA_TOPIC;
  }

  get database(): string {
    return this.env.CLICKHOUSE_DATABASE;
  }

  url(app: AppName): string {
    const port = { ingest: this.env.INGEST_PORT, query: this.env.QUERY_PORT, consumer: this.env.CONSUMER_PORT }[app];
    return `http://127.0.0.1:${port}`;
  }

  /** Starts an app and waits until it serves /health; the consumer has applied the migrations by then. */
  async start(app: AppName, extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.isRunning(app)) throw new Error(`${this.name}: ${app} is already running; stop it first`);
    const main = join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build before the end-to-end tests`);
    const logFile = join(this.logDir, `${this.name}-${app}-${++this.starts}.log`);
    const log = openSync(logFile, 'w');
    const { file, args } = appCommand(app, main, appNodeOptions(app));
    const child = spawn(file, args, { env: { ...process.env, ...this.env, ...extraEnv }, stdio: ['ignore', log, log] });
    closeSync(log);
    const exit = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.processes.set(app, { child, exit });

    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.name}: ${app} exited with code ${child.exitCode} during start; see ${logFile}`);
      if (await fetch(`${this.url(app)}/health`).then((response) => response.ok, () => false)) return;
      if (Date.now() > deadline) throw new Error(`${this.name}: ${app} did not serve /health within 60 s; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  isRunning(app: AppName): boolean {
    const child = this.processes.get(app)?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Resolves when the last started process of the app exits, with its exit code or signal. */
  exited(app: AppName): Promise<ExitStatus> {
    const entry = this.processes.get(app);
    if (!entry) throw new Error(`${this.name}: ${app} was never started`);
    return entry.exit;
  }

  /** Sends `signal` and waits for the exit; sends SIGKILL after `timeoutMs`. */
  async stop(app: AppName, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<ExitStatus> {
    const entry = this.processes.get(app);
    if (!entry || !this.isRunning(app)) throw new Error(`${this.name}: ${app} is not running`);
    entry.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const status = await Promise.race([entry.exit, killed.then(() => undefined)]);
    clearTimeout(timer);
    if (status) return status;
    entry.child.kill('SIGKILL');
    throw new Error(`${this.name}: ${app} did not exit within ${timeoutMs} ms of ${signal}; killed it`);
  }

  async post(body: unknown, key: string): Promise<JsonResponse> {
    const response = await fetch(`${this.url('ingest')}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  async get(app: AppName, path: string, key?: string): Promise<JsonResponse> {
    const response = await fetch(`${this.url(app)}${path}`, { headers: key ? { 'x-api-key': key } : {} });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json');
    return { status: response.status, headers: response.headers, body: isJson && text ? JSON.parse(text) : text };
  }

  query<Row = Record<string, unknown>>(statement: string): Promise<Row[]> {
    return clickhouseQuery<Row>(this.database, statement);
  }

  /** Committed offset and high watermark per partition of the topic; -1 when nothing is committed. */
  async offsets(): Promise<{ partition: number; committed: number; high: number }[]> {
    const admin = this.kafka().admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(this.topic);
      const [committed] = await admin.fetchOffsets({ groupId: this.env.KAFKA_CONSUMER_GROUP, topics: [this.topic] });
      return ends.map((end) => ({
        partition: end.partition,
        committed: Number(committed.partitions.find((entry) => entry.partition === end.partition)?.offset ?? -1),
        high: Number(end.high),
      }));
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until the group committed every message of the topic. */
  async waitCaughtUp(timeoutMs = 90_000): Promise<void> {
    await eventually(
      `${this.name}: the consumer to commit every message of ${this.topic}`,
      async () => ((await this.offsets()).every((entry) => Math.max(entry.committed, 0) >= entry.high) ? true : undefined),
      timeoutMs,
    );
  }

  kafka(): Kafka {
    return new Kafka({ clientId: `e2e-${this.name}`, brokers: this.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  }

  /** Kills the apps still running and deletes the topic and database unless E2E_KEEP_DATA=1. */
  async dispose(options: { keepTopic?: boolean } = {}): Promise<void> {
    for (const [app, entry] of this.processes) if (this.isRunning(app)) entry.child.kill('SIGKILL');
    await Promise.all([...this.processes.values()].map((entry) => entry.exit));
    if (process.env.E2E_KEEP_DATA === '1') return;
    const admin = this.kafka().admin();
    if (!options.keepTopic)
      await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: [this.topic, `${this.topic}.dlq`] }))
      .catch((error: unknown) => console.warn(`could not delete the topics of ${this.name}: ${String(error)}`))
      .finally(() => admin.disconnect());
    await clickhouseQuery('default', `DROP DATABASE IF EXISTS ${this.database}`).catch((error: unknown) =>
      console.warn(`could not drop ${this.database}: ${String(error)}`),
    );
  }
}
