import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, revokeApiKey } from '@gallery/config';
import { eventually, getJson } from '../support/api';
import { OwnPipeline } from '../support/own-pipeline';
import { KEYS, readTestRun } from '../support/test-env';

const ALLOWED_ORIGIN = 'https://dashboard.example.com';

/**
 * Runs a query app of its own with a keys file this test writes, a rate limit of 1 request per
 * second in bursts of 3 and one allowed CORS origin. Its ClickHouse database does not exist, so
 * every read fails inside the app with a 500.
 */
describe('HTTP hardening', () => {
  let pipeline: OwnPipeline;
  let keysFile: string;
  let key: string;
  let secondKey: string;

  beforeAll(async () => {
    keysFile = join(mkdtempSync(join(tmpdir(), 'sec-keys-')), 'keys.json');
    key = createApiKey(keysFile, { id: 'dash', accountId: 'acct_demo', scopes: ['read'] });
    secondKey = createApiKey(keysFile, { id: 'second', accountId: 'acct_demo', scopes: ['read'] });
    pipeline = await OwnPipeline.create('sec-http');
    await pipeline.start('query', {
      API_KEYS_FILE: keysFile,
      API_KEYS_RELOAD_MS: '100',
      RATE_LIMIT_QUERY_PER_SECOND: '1',
      RATE_LIMIT_QUERY_BURST: '3',
      CORS_ORIGINS: ALLOWED_ORIGIN,
    });
  });

  afterAll(async () => {
    await pipeline?.dispose();
  });

  const starred = () => fetch(`${pipeline.url('query')}/api/v1/photos/starred`, { headers: { 'x-api-key': key } });

  it('hides the cause of a 500', async () => {
    const response = await starred();
    const text = await response.text();
    expect(response.status).toBe(500);
    const body = JSON.parse(text);
    expect(body.error.code).toBe('internal_error');
    expect(body.error.message).toContain(body.error.request_id);
    expect(text).not.toMatch(/at \S+ \(|\.ts:\d+|\.js:\d+/);
    expect(text).not.toMatch(/clickhouse|database|sql|UNKNOWN_DATABASE|Code: \d+/i);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'request_id', 'status']);
  });

  it('rate-limits a key with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${pipeline.url('query')}/api/v1/photos/starred`, { headers: { authorization: `Bearer ${key}` } });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('rate_limited');
        expect(body.error.message).toContain('dash');
      } else {
        await response.text();
      }
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('keeps one bucket per key', async () => {
    // The "dash" bucket is empty after the test above; another key of the same account is not.
    const first = await fetch(`${pipeline.url('query')}/api/v1/photos/starred`, { headers: { 'x-api-key': key } });
    expect(first.status).toBe(429);
    const second = await fetch(`${pipeline.url('query')}/api/v1/photos/starred`, { headers: { 'x-api-key': secondKey } });
    expect(second.status).toBe(500);
  });

  it('rejects a revoked key without a restart', async () => {
    const fresh = createApiKey(keysFile, { id: 'to-revoke', accountId: 'acct_demo', scopes: ['read'] });
    await eventually('the app to accept the new key', async () => {
      const response = await pipeline.get('query', '/api/v1/photos/starred', fresh);
      return response.status === 500 ? true : undefined;
    }, 5000);

    revokeApiKey(keysFile, 'to-revoke');
    const rejected = await eventually('the app to reject the revoked key', async () => {
      const response = await pipeline.get('query', '/api/v1/photos/starred', fresh);
      return response.status === 401 ? response : undefined;
    }, 5000);
    expect(rejected.body.error.message).toBe('invalid or revoked API key');
    expect(JSON.stringify(rejected.body)).not.toContain(fresh);
  });

  it('sends security headers', async () => {
    const response = await fetch(`${pipeline.url('query')}/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('serves Swagger UI under the security policy', async () => {
    const page = await fetch(`${pipeline.url('query')}/docs`);
    const html = await page.text();
    expect(page.status).toBe(200);
    // The policy allows scripts from the same origin only, so the page must have no inline script.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const src of html.match(/<script[^>]*src="([^"]+)"/g) ?? []) {
      const path = /src="\.?\/?([^"]+)"/.exec(src)?.[1];
      const script = await fetch(`${pipeline.url('query')}/${path}`);
      expect([path, script.status]).toEqual([path, 200]);
    }
    expect((await fetch(`${pipeline.url('query')}/docs/openapi.json`)).status).toBe(200);
  });

  it('allows only the configured CORS origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${pipeline.url('query')}/api/v1/photos/starred`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const denied = await preflight('https://evil.example.net');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers by default', async () => {
    // The run's shared query app starts without CORS_ORIGINS.
    const response = await getJson('/health', KEYS.read);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${readTestRun().queryUrl}/api/v1/photos/starred`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
