import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { EventType } from '@gallery/contract';
import { eventually, exampleEvent, uniqueCollection } from './support/api';
import { freePort } from './support/own-pipeline';
import { KEYS, readTestRun } from './support/test-env';

const ROOT = join(__dirname, '..');
const MAX_BYTES_IN_FLIGHT = 3000;

/** An ingest app whose limit of request bodies in flight is 3000 bytes, on the test stack's Kafka. */
describe('ingest under load', () => {
  let ingest: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    const run = readTestRun();
    port = await freePort();
    ingest = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'ingest', 'src', 'main.js')], {
      env: { ...process.env, ...run.env, INGEST_PORT: String(port), INGEST_MAX_BYTES_IN_FLIGHT: String(MAX_BYTES_IN_FLIGHT), LOG_LEVEL: 'fatal' },
      stdio: 'ignore',
    });
    await eventually('the ingest app to listen', async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined), 60_000);
  });

  afterAll(() => {
    ingest?.kill('SIGKILL');
  });

  /** Posts one valid event padded with spaces to `bytes` bytes. */
  async function post(bytes: number): Promise<{ status: number; retryAfter: string | null; body: { error?: { code: string; message: string } } }> {
    const json = JSON.stringify(exampleEvent(EventType.PhotoDownloaded, uniqueCollection('busy')));
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.ingest}` },
      body: json.padEnd(bytes, ' '),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as never };
  }

  it('sheds requests while the limit is full', async () => {
    // A request that declares 2000 bytes and sends only its headers stays in flight.
    const stalled = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/events',
      headers: { 'content-type': 'application/json', 'content-length': '2000', authorization: `Bearer ${KEYS.ingest}` },
    });
    stalled.on('error', () => undefined);
    stalled.flushHeaders();

    const busy = await eventually('a request to be turned away', async () => {
      const answer = await post(2000);
      return answer.status === 503 ? answer : undefined;
    });
    expect(busy.retryAfter).toBe('1');
    expect(busy.body.error?.code).toBe('server_busy');
    expect(busy.body.error?.message).toContain(`limit of ${MAX_BYTES_IN_FLIGHT}`);

    stalled.destroy();
    const accepted = await eventually('a request to be accepted again', async () => {
      const answer = await post(2000);
      return answer.status === 202 ? answer : undefined;
    });
    expect(accepted.status).toBe(202);
  });

  it('admits an oversized body when idle', async () => {
    const answer = await post(MAX_BYTES_IN_FLIGHT + 2000);
    expect(answer.status).toBe(202);
  });
});
