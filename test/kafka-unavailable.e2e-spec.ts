import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EventType } from '@gallery/contract';
import { eventually, exampleEvent, uniqueCollection } from './support/api';
import { KEYS, readTestRun } from './support/test-env';

const ROOT = join(__dirname, '..');

/** Finds a free loopback port by binding port 0 and closing it again. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

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
