import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { appCommand } from '../node-options';

export interface RunningApps {
  env: Record<string, string>;
  ingestUrl: string;
  queryUrl: string;
  children: Map<string, ChildProcess>;
  logDir: string;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

/** Returns a function that starts an app from dist/ under a label, logging to `<label>.log` in `logDir`. */
function appStarter(root: string, env: Record<string, string>, logDir: string, nodeArgs: (app: string) => string[], children: Map<string, ChildProcess>) {
  mkdirSync(logDir, { recursive: true });
  return (app: string, label = app, extraEnv: Record<string, string> = {}) => {
    const main = join(root, 'dist', 'apps', app, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    const log = openSync(join(logDir, `${label}.log`), 'w');
    const { file, args } = appCommand(app, main, nodeArgs(app));
    children.set(label, spawn(file, args, { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', log, log] }));
    closeSync(log);
  };
}

/** Starts the ingest app alone, for measurements that need only Kafka. */
export async function startIngest(root: string, env: Record<string, string>, logDir: string, nodeArgs: (app: string) => string[] = () => []): Promise<RunningApps> {
  const children = new Map<string, ChildProcess>();
  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}`;
  appStarter(root, env, logDir, nodeArgs, children)('ingest');
  try {
    // Ready means connected to Kafka, so the first measured request does not wait for that.
    await waitFor('the ingest app', async () => (await fetch(`${ingestUrl}/ready`)).ok);
  } catch (error) {
    for (const child of children.values()) child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; its log is in ${logDir}`);
  }
  return { env, ingestUrl, queryUrl: '', children, logDir };
}

/** Starts consumer, ingest and query from dist/ with the given settings and Node options; the consumer first. */
export async function startApps(root: string, env: Record<string, string>, logDir: string, nodeArgs: (app: string) => string[] = () => [], consumers = 1): Promise<RunningApps> {
  const children = new Map<string, ChildProcess>();
  const start = appStarter(root, env, logDir, nodeArgs, children);
  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}`;
  const queryUrl = `http://127.0.0.1:${env.QUERY_PORT}`;

  try {
    start('consumer');
    await waitFor('the consumer to migrate', async () => {
      const response = await fetch(`${env.CLICKHOUSE_URL}/?query=${encodeURIComponent(`EXISTS TABLE ${env.CLICKHOUSE_DATABASE}.schema_migrations`)}`);
      return (await response.text()).trim() === '1';
    });
    // Further consumers join the same group and share the partitions, on ports after CONSUMER_PORT.
    for (let index = 2; index <= consumers; index++) start('consumer', `consumer-${index}`, { CONSUMER_PORT: String(Number(env.CONSUMER_PORT) + index - 1) });
    start('ingest');
    start('query');
    await waitFor('the ingest app', async () => (await fetch(`${ingestUrl}/health`)).ok);
    await waitFor('the query app', async () => (await fetch(`${queryUrl}/health`)).ok);
  } catch (error) {
    for (const child of children.values()) child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; logs are in ${logDir}`);
  }
  return { env, ingestUrl, queryUrl, children, logDir };
}

/**
 * Starts one more query app on `port`, reading `database`, and returns its URL. It is stopped with
 * the other apps. The query latency phases read a store of their own this way.
 */
export async function startQueryApp(apps: RunningApps, root: string, nodeArgs: (app: string) => string[], label: string, database: string, port: number): Promise<string> {
  appStarter(root, apps.env, apps.logDir, nodeArgs, apps.children)('query', label, { CLICKHOUSE_DATABASE: database, QUERY_PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`the ${label} app`, async () => (await fetch(`${url}/health`)).ok);
  } catch (error) {
    throw new Error(`${(error as Error).message}; its log is ${join(apps.logDir, `${label}.log`)}`);
  }
  return url;
}

/** Peak resident set size of a process in MiB, from /proc (Linux only). */
export function peakRssMiB(child: ChildProcess): number | null {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export async function stopApps(apps: RunningApps): Promise<void> {
  for (const child of apps.children.values()) child.kill('SIGTERM');
  const deadline = Date.now() + 15_000;
  while ([...apps.children.values()].some((child) => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const child of apps.children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Deletes a run's event topic and its dead-letter topic, so that runs do not pile up data in the
 * local broker. Logs a failure and returns, because the results are already measured by then.
 */
export async function deleteRunTopics(brokers: string[], topic: string): Promise<void> {
  const topics = [topic, `${topic}.dlq`];
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((name) => existing.has(name));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  } catch (error) {
    console.error(`[bench] failed to delete topics ${topics.join(', ')}: ${(error as Error).message}. Delete them with kafka-topics.sh --delete.`);
  } finally {
    await admin.disconnect();
  }
}
