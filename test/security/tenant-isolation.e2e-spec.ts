import { readTestRun } from '../support/test-env';
import { getJson, uniqueCollection } from '../support/api';
import { KEYS } from '../support/test-env';
import { COLLECTION_ENDPOINTS, ENDPOINT_STATUSES, postTenantFixture, TenantFixture } from './fixture';

/** Fields that differ between any two responses: the read time and the freshness watermark. */
const VOLATILE_META = ['snapshot_at', 'complete_through'];

interface Reading {
  status: number;
  text: string;
}

async function read(path: string, key: string): Promise<Reading> {
  const response = await fetch(`${readTestRun().queryUrl}${path}`, { headers: { 'x-api-key': key } });
  return { status: response.status, text: await response.text() };
}

/** The response with volatile meta fields removed and the collection id replaced by a placeholder. */
function normalized(reading: Reading, collectionId: string): string {
  const text = reading.text.split(collectionId).join('{collection}');
  if (!text.startsWith('{')) return `${reading.status} ${text}`;
  const body = JSON.parse(text);
  for (const field of VOLATILE_META) if (body.meta) delete body.meta[field];
  if (body.error) delete body.error.request_id;
  return `${reading.status} ${JSON.stringify(body)}`;
}

/** Query strings to try on an endpoint: each parameter alone and a few together. */
function queryStrings(endpoint: string, fixture: TenantFixture, cursor: string | undefined): string[] {
  const range = 'from=2026-03-01&to=2026-03-02';
  const base = [
    '',
    range,
    'from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z&tz=Europe/Berlin&interval=hour',
    'tz=America/New_York&interval=week',
    'interval=month',
    'limit=1',
    'format=csv',
    `${range}&format=csv&limit=5`,
  ];
  if (endpoint !== 'photo_sharing_links') {
    base.push(`client_id=${fixture.clientId}`, `media_id=${fixture.photoId}`, `media_id=${fixture.videoId}&client_id=${fixture.clientId}&${range}`);
  }
  for (const status of ENDPOINT_STATUSES[endpoint]) base.push(`status=${status}`, `status=${status}&${range}&limit=2`);
  if (cursor) base.push(`cursor=${cursor}`, `cursor=${cursor}&limit=1`);
  return base;
}

describe('tenant isolation', () => {
  let fixture: TenantFixture;
  const missing = uniqueCollection('never-written');

  beforeAll(async () => {
    fixture = await postTenantFixture();
  });

  it.each(COLLECTION_ENDPOINTS)('%s of another account reads as a missing collection', async (endpoint) => {
    const own = `/api/v1/collections/${fixture.collectionId}/${endpoint}`;
    const ownFirst = await getJson(`${own}?limit=1`, KEYS.read);
    // The owner sees the data, so an empty answer below is isolation and not a broken fixture.
    expect(ownFirst.status).toBe(200);
    expect(JSON.stringify(ownFirst.body)).toContain(endpoint === 'photo_sharing_links' ? fixture.linkId : fixture.clientId);
    const cursor: string | undefined = ownFirst.body.meta?.next_cursor ?? undefined;

    const differences: string[] = [];
    for (const query of queryStrings(endpoint, fixture, cursor)) {
      const suffix = query ? `?${query}` : '';
      const foreign = await read(`${own}${suffix}`, KEYS.otherRead);
      const nonexistent = await read(`/api/v1/collections/${missing}/${endpoint}${suffix}`, KEYS.otherRead);

      expect(foreign.status).toBeLessThan(500);
      for (const secret of [fixture.clientId, fixture.photoId, fixture.videoId, fixture.linkId, fixture.email]) {
        if (foreign.text.includes(secret)) differences.push(`${query}: the response contains ${secret}`);
      }
      if (normalized(foreign, fixture.collectionId) !== normalized(nonexistent, missing)) {
        differences.push(`${query}: ${normalized(foreign, fixture.collectionId)} differs from ${normalized(nonexistent, missing)}`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('starred photos of another account stay hidden', async () => {
    const own = await getJson('/api/v1/photos/starred', KEYS.read);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).toContain(fixture.photoId);

    for (const query of ['', 'from=2026-03-01&to=2026-03-02', 'tz=Asia/Kolkata&interval=hour&from=2026-03-01&to=2026-03-02', 'limit=1', 'format=csv']) {
      const foreign = await read(`/api/v1/photos/starred${query ? `?${query}` : ''}`, KEYS.otherRead);
      expect(foreign.status).toBe(200);
      expect(foreign.text).not.toContain(fixture.photoId);
      expect(foreign.text).not.toContain(fixture.collectionId);
    }
  });
});
