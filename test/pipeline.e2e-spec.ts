import 'reflect-metadata';
import { EventType } from '@gallery/contract';
import { eventually, exampleEvent, getJson, postDeclaringLength, postEvents, uniqueCollection, waitForConsumerCaughtUp } from './support/api';
import { KEYS } from './support/test-env';

describe('ingest to query pipeline', () => {
  it('serves posted downloads through both download endpoints', async () => {
    const collection = uniqueCollection('wedding');
    const photo = exampleEvent(EventType.PhotoDownloaded, collection, {
      occurred_at: '2026-06-14T18:22:05.120Z',
      bytes_transferred: 4000,
      photo: { id: 'IMG_1', file_name: 'IMG_1.jpg', format: 'jpeg', size_bytes: 4000 },
      client: { id: 'client-a', email: 'a@example.com', name: 'Ana' },
      duration_ms: 100,
    });
    const failedPhoto = exampleEvent(EventType.PhotoDownloaded, collection, {
      occurred_at: '2026-06-16T08:00:00Z',
      status: 'failed',
      bytes_transferred: 10,
      photo: { id: 'IMG_2', file_name: 'IMG_2.png', format: 'png' },
      client: { id: 'client-b' },
    });
    delete failedPhoto.duration_ms;
    delete failedPhoto.http_status;
    const videoStarted = exampleEvent(EventType.VideoDownload, collection, {
      occurred_at: '2026-06-14T18:30:00Z',
      status: 'started',
      bytes_transferred: 0,
      download_id: 'dl-1',
    });
    delete videoStarted.duration_ms;
    const videoCompleted = exampleEvent(EventType.VideoDownload, collection, {
      occurred_at: '2026-06-14T18:31:40Z',
      status: 'completed',
      bytes_transferred: 1_000_000,
      duration_ms: 100_000,
      download_id: 'dl-1',
    });
    const favorite = exampleEvent(EventType.FavoriteAdded, collection);

    const posted = await postEvents({ events: [photo, failedPhoto, videoStarted, videoCompleted, favorite] }, KEYS.ingest);
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({
      data: { accepted: 5, event_ids: [photo.event_id, failedPhoto.event_id, videoStarted.event_id, videoCompleted.event_id, favorite.event_id] },
    });

    // The statements of one response run side by side. A response read while the insert lands may
    // count the new rows in its totals but not list them yet, so the test waits for both.
    const photos = await eventually('photo downloads to be queryable', async () => {
      const response = await getJson(`/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
      return response.body?.data?.totals?.downloads === 2 && response.body?.data?.downloads?.length === 2 ? response : undefined;
    });
    expect(photos.status).toBe(200);
    expect(photos.body.data.totals).toEqual({
      downloads: 2,
      completed: 1,
      partial: 0,
      failed: 1,
      unique_photos: 2,
      unique_clients: 2,
      bytes_transferred: 4010,
      first_download_at: '2026-06-14T18:22:05.120Z',
      last_download_at: '2026-06-16T08:00:00.000Z',
    });
    expect(photos.body.data.downloads).toEqual([
      {
        event_id: failedPhoto.event_id,
        downloaded_at: '2026-06-16T08:00:00.000Z',
        media_kind: 'photo',
        client: { id: 'client-b', email: null, name: null },
        media: { id: 'IMG_2', gallery_id: null, file_name: 'IMG_2.png', file_format: 'png', size_bytes: null },
        status: 'failed',
        bytes_transferred: 10,
        duration_ms: null,
        http_status: null,
        share_link_id: null,
        download_id: null,
      },
      {
        event_id: photo.event_id,
        downloaded_at: '2026-06-14T18:22:05.120Z',
        media_kind: 'photo',
        client: { id: 'client-a', email: 'a@example.com', name: 'Ana' },
        media: { id: 'IMG_1', gallery_id: null, file_name: 'IMG_1.jpg', file_format: 'jpeg', size_bytes: 4000 },
        status: 'completed',
        bytes_transferred: 4000,
        duration_ms: 100,
        http_status: 200,
        share_link_id: null,
        download_id: null,
      },
    ]);
    expect(photos.body.data.photos.map((p: { media_id: string }) => p.media_id)).toEqual(['IMG_1', 'IMG_2']);

    for (const path of ['downloads', 'downloads/']) {
      const all = await getJson(`/api/v1/collections/${collection}/${path}`, KEYS.read);
      expect(all.status).toBe(200);
      expect(all.body.data.totals).toEqual({
        downloads: 3,
        photo_downloads: 2,
        video_downloads: 1,
        unique_media: 3,
        unique_clients: 3,
        first_download_at: '2026-06-14T18:22:05.120Z',
        last_download_at: '2026-06-16T08:00:00.000Z',
      });
      expect(all.body.data.status).toEqual({ completed: 2, partial: 0, failed: 1, cancelled: 0, success_rate: 2 / 3 });
      expect(all.body.data.bandwidth).toEqual({
        bytes_transferred: 1_004_010,
        average_bytes_per_download: 334_670,
        average_throughput_bytes_per_second: Math.round((1_004_000 * 1000) / 100_100),
        timed_downloads: 2,
        duration_ms: { p50: expect.any(Number), p90: 100_000, p99: 100_000 },
      });
      expect(all.body.data.timeline.buckets.map((b: { bucket_start: string; downloads: number }) => [b.bucket_start, b.downloads])).toEqual([
        ['2026-06-14T00:00:00.000Z', 2],
        ['2026-06-15T00:00:00.000Z', 0],
        ['2026-06-16T00:00:00.000Z', 1],
      ]);
    }
  });

  it('counts an event posted twice once', async () => {
    const collection = uniqueCollection('retry');
    const event = exampleEvent(EventType.PhotoDownloaded, collection);
    expect((await postEvents({ events: [event] }, KEYS.ingest)).status).toBe(202);
    expect((await postEvents(event, KEYS.ingest)).status).toBe(202);
    expect((await postEvents({ events: [event, event] }, KEYS.ingest)).status).toBe(202);
    await waitForConsumerCaughtUp();

    const response = await getJson(`/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
    expect(response.body.data.totals.downloads).toBe(1);
    expect(response.body.data.downloads).toHaveLength(1);
  });

  it('publishes nothing from a rejected batch', async () => {
    const collection = uniqueCollection('rejected');
    const valid = exampleEvent(EventType.PhotoDownloaded, collection);
    const invalid = exampleEvent(EventType.PhotoDownloaded, collection, { occurred_at: '2026-02-30T10:00:00Z', surprise: true });

    const response = await postEvents({ events: [valid, invalid] }, KEYS.ingest);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'events[1].occurred_at', value: '2026-02-30T10:00:00Z' }),
        expect.objectContaining({ field: 'events[1].surprise', value: true }),
      ]),
    );
    expect(response.body.error.details.some((detail: { field: string }) => detail.field.startsWith('events[0]'))).toBe(false);

    await waitForConsumerCaughtUp();
    const photos = await getJson(`/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
    expect(photos.body.data.totals.downloads).toBe(0);
  });

  it('shows one account nothing of another', async () => {
    const collection = uniqueCollection('tenant');
    expect((await postEvents({ events: [exampleEvent(EventType.PhotoDownloaded, collection)] }, KEYS.ingest)).status).toBe(202);
    await eventually('the event to be stored', async () => {
      const response = await getJson(`/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
      return response.body.data.totals.downloads === 1 ? true : undefined;
    });

    for (const path of ['photo_downloads', 'downloads/']) {
      const other = await getJson(`/api/v1/collections/${collection}/${path}`, KEYS.otherRead);
      expect(other.status).toBe(200);
      expect(other.body.data.totals.downloads).toBe(0);
      expect(other.body.data.downloads).toEqual([]);
    }
  });

  it('rejects missing, wrong and misused keys', async () => {
    const event = exampleEvent(EventType.PhotoDownloaded, uniqueCollection('auth'));
    const missing = await postEvents(event, undefined);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('unauthorized');

    const wrong = await postEvents(event, 'gak_not_a_real_key_000000');
    expect(wrong.status).toBe(401);

    const readKeyOnIngest = await postEvents(event, KEYS.read);
    expect(readKeyOnIngest.status).toBe(403);

    const ingestKeyOnQuery = await getJson(`/api/v1/collections/x/downloads`, KEYS.ingest);
    expect(ingestKeyOnQuery.status).toBe(403);
  });

  it('rejects oversized bodies and batches with 413', async () => {
    const collection = uniqueCollection('large');
    const tooMany = Array.from({ length: 1001 }, () => exampleEvent(EventType.PhotoUnstarred, collection));
    const batch = await postEvents({ events: tooMany }, KEYS.ingest);
    expect(batch.status).toBe(413);
    expect(batch.body.error.code).toBe('batch_too_large');

    const huge = await postDeclaringLength(5 * 1024 * 1024, KEYS.ingest);
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('rejects bad query parameters with 400', async () => {
    const unknown = await getJson('/api/v1/collections/abc/photo_downloads?limt=5', KEYS.read);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('limt');

    const limit = await getJson('/api/v1/collections/abc/downloads?limit=0', KEYS.read);
    expect(limit.status).toBe(400);
    expect(limit.body.error.details[0]).toEqual(expect.objectContaining({ field: 'limit', value: '0' }));

    const badId = await getJson(`/api/v1/collections/${encodeURIComponent("x' OR 1=1")}/downloads`, KEYS.read);
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].field).toBe('collection_id');
  });
});
