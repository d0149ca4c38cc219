import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { EventType } from '@gallery/contract';
import { eventually, exampleEvent, uniqueCollection } from './support/api';
import { freePort } from './support/own-pipeline';
import { KEYS, readTestRun } from './support/test-env';

const ROOT = join(__dirname, '..');

describe('ingest without Kafka', () => {
  let ingest: ChildProcess | undefined;
  let url = '';

  beforeAll(async () => {
    const run = readTestRun();
    const [port, deadBroker] = await Promise.all([freePort(), freePort()]);
    url = `http://127.0.0.1:${port}`;
    // Nothing listens on deadBroker, so every connection to "Kafka" is refused.
    ingest = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'ingest', 'src', 'main.js')], {
      env: { ...process.env, ...run.env, INGEST_PORT: String(port), KAFKA_BROKERS: `127.0.0.1:${deadBroker}`, LOG_LEVEL: 'fatal' },
      stdio: 'ignore',
    });
    await eventually('the ingest app without Kafka to listen', async () => ((await fetch(`${url}/health`)).ok ? true : undefined), 60_000);
  });

  afterAll(() => {
    ingest?.kill('SIGKILL');
  });

  it('answers 503 with Retry-After, never 202', async () => {
    const response = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.ingest}` },
      body: JSON.stringify(exampleEvent(EventType.PhotoDownloaded, uniqueCollection('nokafka'))),
    });
    const body = (await response.json()) as { error: { code: string } };
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(body.error.code).toBe('kafka_unavailable');
  });
});
