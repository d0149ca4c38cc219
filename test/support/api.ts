import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { EVENT_EXAMPLES, EventType } from '@gallery/contract';
import { readTestRun } from './test-env';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function postEvents(body: unknown, key: string | undefined, init: { raw?: string } = {}): Promise<JsonResponse> {
  const run = readTestRun();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${run.ingestUrl}/api/v1/events`, { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/**
 * Sends request headers that declare a body of `length` bytes and waits for the answer before
 * sending any of it. The server rejects an oversized body from its Content-Length alone; sending
 * the whole body would race the server closing the connection.
 */
export function postDeclaringLength(length: number, key: string): Promise<JsonResponse> {
  const url = new URL('/api/v1/events', readTestRun().ingestUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(length), authorization: `Bearer ${key}` },
    });
    outgoing.on('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => {
        resolve({ status: incoming.statusCode ?? 0, headers: new Headers(), body: text ? JSON.parse(text) : null });
        outgoing.destroy();
      });
    });
    outgoing.on('error', reject);
    outgoing.write('{"events":[');
  });
}

export async function getJson(path: string, key: string | undefined): Promise<JsonResponse> {
  const run = readTestRun();
  const headers: Record<string, string> = {};
  if (key) headers['x-api-key'] = key;
  const response = await fetch(`${run.queryUrl}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`);
}

/**
 * Waits until the consumer group has committed every message of the run's topic, which the
 * consumer does only after storing them: afterwards, the query API shows every accepted event.
 */
export async function waitForConsumerCaughtUp(timeoutMs = 60_000): Promise<void> {
  const run = readTestRun();
  const admin = new Kafka({ clientId: 'e2e-lag-check', brokers: run.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await eventually(
      'the consumer to commit every message',
      async () => {
        const ends = await admin.fetchTopicOffsets(run.env.KAFKA_TOPIC);
        const [committed] = await admin.fetchOffsets({ groupId: run.env.KAFKA_CONSUMER_GROUP, topics: [run.env.KAFKA_TOPIC] });
        const done = ends.every((end) => {
          const partition = committed.partitions.find((p) => p.partition === end.partition);
          const position = partition && Number(partition.offset) >= 0 ? Number(partition.offset) : 0;
          return position >= Number(end.high);
        });
        return done ? true : undefined;
      },
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Returns a unique collection id, so tests do not see each other's events. */
export function uniqueCollection(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Copies the contract example of `type` with a fresh event id into `collectionId`. */
export function exampleEvent(type: EventType, collectionId: string, overrides: Record<string, unknown> = {}): Record<string, any> {
  return { ...structuredClone(EVENT_EXAMPLES[type]), event_id: randomUUID(), collection_id: collectionId, ...overrides };
}

/**
 * Adds up the samples of a metric on a Prometheus text page, all label sets or only those whose
 * label text contains `labels` (such as `signature="valid"`).
 */
export function metricValue(page: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of page.split('\n')) {
    const labelled = line.startsWith(`${name}{`);
    if (!labelled && !line.startsWith(`${name} `)) continue;
    if (labels && !(labelled && line.slice(name.length, line.indexOf('}') + 1).includes(labels))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
