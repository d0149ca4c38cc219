import fc from 'fast-check';
import { stringLiteral } from '@gallery/clickhouse';
import { clickhouseQuery } from '../support/clickhouse';
import { JsonResponse } from '../support/api';
import { OwnPipeline } from '../support/own-pipeline';
import { KEYS, readTestRun } from '../support/test-env';
import { COLLECTION_ENDPOINTS, postTenantFixture, TenantFixture } from './fixture';

const ENDPOINTS = [...COLLECTION_ENDPOINTS.map((endpoint) => `collections/{collection}/${endpoint}`), 'photos/starred'];
const PARAMETERS = ['from', 'to', 'tz', 'interval', 'client_id', 'media_id', 'status', 'limit', 'cursor', 'format'];

/** Values that break naive SQL quoting, parsing or number handling. */
const HOSTILE = [
  "'",
  "x'OR'1'='1",
  "') OR 1=1 --",
  '\\',
  "\\'",
  '\\x27',
  '\0',
  'a\0b',
  '%00',
  '\u0000\u001f\u007f',
  '\u2028',
  '\uFEFF',
  '🎉',
  '${x}',
  '{name:String}',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '99999999999999999999',
  'NaN',
  '2026-02-30',
  '275760-09-13T00:00:01Z',
  '1970-01-01T00:00:00Z',
  'x'.repeat(10_000),
];

/** Query-string values already percent-encoded: invalid UTF-8 and an overlong slash. */
const RAW_ENCODED = ['%FF', '%C0%AF', '%ED%A0%80', '%E2%80', '%', '%zz'];

/**
 * Sends thousands of requests to a query app of its own on the run's database, with the rate limit
 * off, so that every request reaches the SQL and no other test file meets a 429.
 */
describe('injection', () => {
  let fixture: TenantFixture;
  let pipeline: OwnPipeline;

  async function status(path: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${pipeline.url('query')}${path}`, { headers: { 'x-api-key': KEYS.read } });
    return { status: response.status, text: await response.text() };
  }

  async function getJson(path: string): Promise<JsonResponse> {
    const response = await fetch(`${pipeline.url('query')}${path}`, { headers: { 'x-api-key': KEYS.read } });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  beforeAll(async () => {
    fixture = await postTenantFixture();
    pipeline = await OwnPipeline.create('sec-injection');
    await pipeline.start('query', { CLICKHOUSE_DATABASE: readTestRun().env.CLICKHOUSE_DATABASE, RATE_LIMIT_QUERY_PER_SECOND: '0' });
  });

  afterAll(async () => {
    await pipeline?.dispose();
  });

  it('round-trips any string through ClickHouse', async () => {
    const values = fc.sample(fc.string({ unit: 'binary', maxLength: 300 }), { numRuns: 300, seed: 42 });
    // Lone surrogates cannot be sent as UTF-8; fetch sends U+FFFD in their place, as any client would.
    const expected = values.map((value) => Buffer.from(value, 'utf8').toString('hex').toUpperCase());
    const select = values.map((value, index) => `hex(${stringLiteral(value)}) AS v${index}`).join(', ');
    const [row] = await clickhouseQuery<Record<string, string>>('default', `SELECT ${select}`);
    expect(values.map((_, index) => row[`v${index}`])).toEqual(expected);
  });

  it('answers hostile parameters without a 5xx', async () => {
    const failures: string[] = [];
    for (const endpoint of ENDPOINTS) {
      const base = `/api/v1/${endpoint.replace('{collection}', fixture.collectionId)}`;
      for (const parameter of PARAMETERS) {
        for (const value of HOSTILE) {
          const response = await status(`${base}?${parameter}=${encodeURIComponent(value)}`);
          if (response.status >= 500 || response.status === 429) failures.push(`${base}?${parameter}=${value.slice(0, 40)}: ${response.status} ${response.text.slice(0, 200)}`);
        }
        for (const encoded of RAW_ENCODED) {
          const response = await status(`${base}?${parameter}=${encoded}`);
          if (response.status >= 500 || response.status === 429) failures.push(`${base}?${parameter}=${encoded}: ${response.status} ${response.text.slice(0, 200)}`);
        }
      }
      for (const value of HOSTILE.slice(0, 12)) {
        const path = `/api/v1/collections/${encodeURIComponent(value)}/downloads`;
        const response = await status(path);
        if (response.status >= 500 || response.status === 429) failures.push(`${path}: ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers random parameters without a 5xx', async () => {
    const base = `/api/v1/collections/${fixture.collectionId}/downloads`;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PARAMETERS), fc.string({ unit: 'binary', maxLength: 64 }), async (parameter, value) => {
        const response = await status(`${base}?${parameter}=${encodeURIComponent(value)}`);
        expect([parameter, value, response.status < 500 && response.status !== 429]).toEqual([parameter, value, true]);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('keeps filter values as values', async () => {
    const base = `/api/v1/collections/${fixture.collectionId}/photo_downloads`;
    const real = await getJson(`${base}?client_id=${fixture.clientId}`);
    expect(real.status).toBe(200);
    expect(real.body.data.downloads.length).toBeGreaterThan(0);

    // Each value passes the id pattern, so it reaches SQL; none may match the fixture's rows.
    const tautologies = ["x'OR'1'='1", "x'OR'1'='1'--", `${fixture.clientId}'OR'1'='1`, "\\'OR'1'='1", "'||'", "x\\'OR\\'1\\'=\\'1"];
    for (const value of tautologies) {
      for (const parameter of ['client_id', 'media_id']) {
        const response = await getJson(`${base}?${parameter}=${encodeURIComponent(value)}`);
        expect([value, parameter, response.status]).toEqual([value, parameter, 200]);
        expect([value, parameter, response.body.data.downloads]).toEqual([value, parameter, []]);
      }
    }
  });
});
