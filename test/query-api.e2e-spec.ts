import { randomUUID } from 'node:crypto';
import { EventType } from '@gallery/contract';
import { eventually, exampleEvent, getJson, postEvents, uniqueCollection, waitForConsumerCaughtUp } from './support/api';
import { KEYS } from './support/test-env';

// The fixed event set belongs to the second development account, so account-wide responses
// (starred photos) contain nothing posted by other test files.
const INGEST = KEYS.otherIngest;
const READ = KEYS.otherRead;

const C = uniqueCollection('dst');
const OTHER_C = uniqueCollection('elsewhere');

function photo(at: string, photoId: string, clientId: string, status: string, bytes: number, extra: Record<string, unknown> = {}) {
  const event = exampleEvent(EventType.PhotoDownloaded, C, {
    occurred_at: at,
    client: { id: clientId },
    photo: { id: photoId, file_name: `${photoId}.jpg`, format: 'jpeg', size_bytes: 1000 },
    status,
    bytes_transferred: bytes,
    ...extra,
  });
  delete event.duration_ms;
  delete event.http_status;
  return event;
}

function video(at: string, downloadId: string, videoId: string, clientId: string, status: string, bytes: number, extra: Record<string, unknown> = {}) {
  const event = exampleEvent(EventType.VideoDownload, C, {
    occurred_at: at,
    download_id: downloadId,
    client: { id: clientId },
    video: { id: videoId, file_name: `${videoId}.mp4`, format: 'mp4', size_bytes: 5_000_000, duration_ms: 60_000 },
    status,
    bytes_transferred: bytes,
    ...extra,
  });
  if (!('duration_ms' in extra)) delete event.duration_ms;
  return event;
}

function favorite(type: EventType.FavoriteAdded | EventType.FavoriteRemoved, at: string, clientId: string, mediaId: string) {
  return exampleEvent(type, C, { occurred_at: at, client: { id: clientId }, media: { id: mediaId, kind: 'photo', file_name: `${mediaId}.jpg` } });
}

function shareLink(type: EventType.ShareLinkCreated | EventType.ShareLinkUpdated, at: string, id: string, expiresAt: string | undefined) {
  const link: Record<string, unknown> = { id, url: `https://gallery.example.com/s/${id}`, media_ids: ['IMG_A'], permissions: ['view', 'download'] };
  if (expiresAt) link.expires_at = expiresAt;
  const event = exampleEvent(type, C, { occurred_at: at, share_link: link });
  delete event.created_by;
  return event;
}

function access(at: string, linkId: string, visitorId: string, mediaId?: string) {
  const event = exampleEvent(EventType.ShareLinkAccessed, C, { occurred_at: at, share_link_id: linkId, visitor: { id: visitorId } });
  if (mediaId) event.media_id = mediaId;
  else delete event.media_id;
  return event;
}

function star(type: EventType.PhotoStarred | EventType.PhotoUnstarred, at: string, collection: string, photoId: string) {
  return exampleEvent(type, collection, { occurred_at: at, photo: { id: photoId, file_name: `${photoId}.jpg` } });
}

const p1 = photo('2026-03-28T22:30:00.000Z', 'IMG_A', 'client-1', 'completed', 1000, { duration_ms: 100 });
const p2 = photo('2026-03-28T23:30:00.000Z', 'IMG_A', 'client-2', 'completed', 2000, { share_link_id: 'L2' });
const p3 = photo('2026-03-29T21:30:00.000Z', 'IMG_B', 'client-1', 'failed', 10);
const p4 = photo('2026-03-29T22:30:00.000Z', 'IMG_B', 'client-2', 'partial', 500);
const v1Start = video('2026-03-29T10:00:00.000Z', 'dl-1', 'VID_1', 'client-1', 'started', 0);
const v1Done = video('2026-03-29T10:05:00.000Z', 'dl-1', 'VID_1', 'client-1', 'completed', 5_000_000, { duration_ms: 300_000 });
const v2Start = video('2026-03-29T11:00:00.000Z', 'dl-2', 'VID_1', 'client-2', 'started', 0);
const v3Start = video('2026-03-29T12:00:00.000Z', 'dl-3', 'VID_2', 'client-1', 'started', 0);
const v3Cancel = video('2026-03-29T12:01:00.000Z', 'dl-3', 'VID_2', 'client-1', 'cancelled', 100, { duration_ms: 60_000 });

const EVENTS = [
  p1, p2, p3, p4,
  v1Start, v1Done, v2Start, v3Start, v3Cancel,
  favorite(EventType.FavoriteAdded, '2026-03-29T09:00:00.000Z', 'client-1', 'IMG_A'),
  favorite(EventType.FavoriteAdded, '2026-03-29T09:01:00.000Z', 'client-2', 'IMG_A'),
  // Removed at the same millisecond as added: the removal wins.
  favorite(EventType.FavoriteRemoved, '2026-03-29T09:02:00.500Z', 'client-3', 'IMG_B'),
  favorite(EventType.FavoriteAdded, '2026-03-29T09:02:00.500Z', 'client-3', 'IMG_B'),
  favorite(EventType.FavoriteAdded, '2026-03-29T09:03:00.000Z', 'client-2', 'IMG_B'),
  shareLink(EventType.ShareLinkCreated, '2026-03-29T08:00:00.000Z', 'L1', '2026-04-01T00:00:00.000Z'),
  shareLink(EventType.ShareLinkCreated, '2026-03-29T08:10:00.000Z', 'L2', '2099-01-01T00:00:00.000Z'),
  shareLink(EventType.ShareLinkCreated, '2026-03-29T08:20:00.000Z', 'L3', undefined),
  exampleEvent(EventType.ShareLinkRevoked, C, { occurred_at: '2026-03-29T08:30:00.000Z', share_link_id: 'L3', reason: 'mistake' }),
  access('2026-03-29T08:40:00.000Z', 'L2', 'visitor-1', 'IMG_A'),
  access('2026-03-29T08:41:00.000Z', 'L2', 'visitor-1', 'IMG_A'),
  access('2026-03-29T08:42:00.000Z', 'L2', 'visitor-2'),
  star(EventType.PhotoStarred, '2026-03-29T10:00:00.000Z', C, 'IMG_A'),
  star(EventType.PhotoStarred, '2026-03-29T10:01:00.000Z', C, 'IMG_B'),
  star(EventType.PhotoUnstarred, '2026-03-29T10:02:00.000Z', C, 'IMG_B'),
  star(EventType.PhotoStarred, '2026-03-29T10:03:00.000Z', OTHER_C, 'IMG_Z'),
];

async function read(path: string, key: string = READ) {
  const response = await getJson(path, key);
  expect(response.status).toBe(200);
  return response.body;
}

describe('query API on a fixed event set', () => {
  beforeAll(async () => {
    const posted = await postEvents({ events: EVENTS }, INGEST);
    expect(posted.status).toBe(202);
    await waitForConsumerCaughtUp();
  });

  it('downloads timeline follows the 23-hour DST day', async () => {
    const body = await read(`/api/v1/collections/${C}/downloads/?tz=Europe/Berlin&from=2026-03-28&to=2026-03-30`);
    expect(body.data.timeline.time_zone).toBe('Europe/Berlin');
    expect(body.data.timeline.buckets).toEqual([
      { bucket_start: '2026-03-27T23:00:00.000Z', downloads: 1, photo_downloads: 1, video_downloads: 0, failed_downloads: 0, bytes_transferred: 1000, unique_clients: 1 },
      { bucket_start: '2026-03-28T23:00:00.000Z', downloads: 4, photo_downloads: 2, video_downloads: 2, failed_downloads: 1, bytes_transferred: 5_002_110, unique_clients: 2 },
      { bucket_start: '2026-03-29T22:00:00.000Z', downloads: 1, photo_downloads: 1, video_downloads: 0, failed_downloads: 0, bytes_transferred: 500, unique_clients: 1 },
    ]);
    expect(body.data.totals).toEqual({
      downloads: 6,
      photo_downloads: 4,
      video_downloads: 2,
      unique_media: 4,
      unique_clients: 2,
      first_download_at: '2026-03-28T22:30:00.000Z',
      last_download_at: '2026-03-29T22:30:00.000Z',
    });
    expect(body.data.status).toEqual({ completed: 3, partial: 1, failed: 1, cancelled: 1, success_rate: 0.5 });
    expect(body.meta).toEqual(
      expect.objectContaining({ time_zone: 'Europe/Berlin', interval: 'day', from: '2026-03-27T23:00:00.000Z', to: '2026-03-30T22:00:00.000Z', next_cursor: null }),
    );
  });

  it('hour buckets cross the DST change', async () => {
    const body = await read(`/api/v1/collections/${C}/downloads?tz=Europe/Berlin&interval=hour&from=2026-03-29T00:00:00Z&to=2026-03-29T02:00:00Z`);
    expect(body.data.timeline.buckets.map((bucket: { bucket_start: string }) => bucket.bucket_start)).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
    ]);
  });

  it('reports how fresh the answer is', async () => {
    const body = await eventually('a freshness watermark', async () => {
      const response = await read(`/api/v1/collections/${C}/favorites`);
      return response.meta.complete_through !== null ? response : undefined;
    });
    const completeThrough = Date.parse(body.meta.complete_through);
    const snapshotAt = Date.parse(body.meta.snapshot_at);
    expect(completeThrough).toBeLessThanOrEqual(snapshotAt);
    // Every event of the fixed set was stored before this test started.
    expect(completeThrough).toBeGreaterThan(Date.now() - 60_000);
  });

  it('photo downloads lists, counts and totals', async () => {
    const body = await read(`/api/v1/collections/${C}/photo_downloads`);
    expect(body.data.totals).toEqual({
      downloads: 4,
      completed: 2,
      partial: 1,
      failed: 1,
      unique_photos: 2,
      unique_clients: 2,
      bytes_transferred: 3510,
      first_download_at: '2026-03-28T22:30:00.000Z',
      last_download_at: '2026-03-29T22:30:00.000Z',
    });
    expect(body.data.photos.map((row: { media_id: string; downloads: number; bytes_transferred: number }) => [row.media_id, row.downloads, row.bytes_transferred])).toEqual([
      ['IMG_A', 2, 3000],
      ['IMG_B', 2, 510],
    ]);
    expect(body.data.downloads.map((row: { event_id: string }) => row.event_id)).toEqual([p4.event_id, p3.event_id, p2.event_id, p1.event_id]);
    expect(body.data.downloads[2].share_link_id).toBe('L2');

    const filtered = await read(`/api/v1/collections/${C}/photo_downloads?client_id=client-1&status=failed`);
    expect(filtered.data.downloads.map((row: { event_id: string }) => row.event_id)).toEqual([p3.event_id]);
    expect(filtered.data.totals.downloads).toBe(1);
  });

  it('video downloads fold each download', async () => {
    const body = await read(`/api/v1/collections/${C}/gallery_video_downloads`);
    expect(body.data.totals).toEqual({
      downloads: 2,
      in_progress: 1,
      status: { completed: 1, partial: 0, failed: 0, cancelled: 1 },
      completion_rate: 0.5,
      unique_videos: 2,
      unique_clients: 2,
      bytes_transferred: 5_000_100,
    });
    expect(body.data.downloads).toEqual([
      {
        download_id: 'dl-3',
        video: { id: 'VID_2', file_name: 'VID_2.mp4', format: 'mp4', codec: null, size_bytes: 5_000_000, duration_ms: 60_000, width: null, height: null },
        client: { id: 'client-1', email: null, name: null },
        started_at: '2026-03-29T12:00:00.000Z',
        finished_at: '2026-03-29T12:01:00.000Z',
        status: 'cancelled',
        bytes_transferred: 100,
        duration_ms: 60_000,
        failure_reason: null,
      },
      {
        download_id: 'dl-2',
        video: { id: 'VID_1', file_name: 'VID_1.mp4', format: 'mp4', codec: null, size_bytes: 5_000_000, duration_ms: 60_000, width: null, height: null },
        client: { id: 'client-2', email: null, name: null },
        started_at: '2026-03-29T11:00:00.000Z',
        finished_at: null,
        status: 'started',
        bytes_transferred: 0,
        duration_ms: null,
        failure_reason: null,
      },
      {
        download_id: 'dl-1',
        video: { id: 'VID_1', file_name: 'VID_1.mp4', format: 'mp4', codec: null, size_bytes: 5_000_000, duration_ms: 60_000, width: null, height: null },
        client: { id: 'client-1', email: null, name: null },
        started_at: '2026-03-29T10:00:00.000Z',
        finished_at: '2026-03-29T10:05:00.000Z',
        status: 'completed',
        bytes_transferred: 5_000_000,
        duration_ms: 300_000,
        failure_reason: null,
      },
    ]);
    expect(body.data.videos.map((row: { video_id: string; downloads: number; in_progress: number; completion_rate: number | null }) => [row.video_id, row.downloads, row.in_progress, row.completion_rate])).toEqual([
      ['VID_1', 1, 1, 1],
      ['VID_2', 1, 0, 0],
    ]);
  });

  it('favorites fold adds and removes', async () => {
    const body = await read(`/api/v1/collections/${C}/favorites`);
    expect(body.data.totals).toEqual({ favorites: 3, favorited_media: 2, clients: 2, added: 4, removed: 1 });
    expect(body.data.favorites).toEqual([
      { media: { id: 'IMG_B', kind: 'photo', file_name: 'IMG_B.jpg' }, client: { id: 'client-2', email: null, name: null }, favorited_at: '2026-03-29T09:03:00.000Z' },
      { media: { id: 'IMG_A', kind: 'photo', file_name: 'IMG_A.jpg' }, client: { id: 'client-2', email: null, name: null }, favorited_at: '2026-03-29T09:01:00.000Z' },
      { media: { id: 'IMG_A', kind: 'photo', file_name: 'IMG_A.jpg' }, client: { id: 'client-1', email: null, name: null }, favorited_at: '2026-03-29T09:00:00.000Z' },
    ]);
    expect(body.data.media).toEqual([
      { media_id: 'IMG_A', media_kind: 'photo', file_name: 'IMG_A.jpg', favorites: 2, client_ids: ['client-1', 'client-2'], last_favorited_at: '2026-03-29T09:01:00.000Z' },
      { media_id: 'IMG_B', media_kind: 'photo', file_name: 'IMG_B.jpg', favorites: 1, client_ids: ['client-2'], last_favorited_at: '2026-03-29T09:03:00.000Z' },
    ]);
  });

  it('share links show status and usage', async () => {
    const body = await read(`/api/v1/collections/${C}/photo_sharing_links`);
    expect(body.data.totals).toEqual({ links: 3, active: 1, expired: 1, revoked: 1, views: 3, unique_visitors: 2, downloads: 1, bytes_transferred: 2000 });
    const common = { media_ids: ['IMG_A'], permissions: ['download', 'view'], password_protected: false, created_by: null };
    expect(body.data.links).toEqual([
      {
        share_link_id: 'L3',
        url: 'https://gallery.example.com/s/L3',
        ...common,
        created_at: '2026-03-29T08:20:00.000Z',
        expires_at: null,
        revoked_at: '2026-03-29T08:30:00.000Z',
        revoke_reason: 'mistake',
        status: 'revoked',
        usage: { views: 0, unique_visitors: 0, downloads: 0, bytes_transferred: 0, last_accessed_at: null },
      },
      {
        share_link_id: 'L2',
        url: 'https://gallery.example.com/s/L2',
        ...common,
        created_at: '2026-03-29T08:10:00.000Z',
        expires_at: '2099-01-01T00:00:00.000Z',
        revoked_at: null,
        revoke_reason: null,
        status: 'active',
        usage: { views: 3, unique_visitors: 2, downloads: 1, bytes_transferred: 2000, last_accessed_at: '2026-03-29T08:42:00.000Z' },
      },
      {
        share_link_id: 'L1',
        url: 'https://gallery.example.com/s/L1',
        ...common,
        created_at: '2026-03-29T08:00:00.000Z',
        expires_at: '2026-04-01T00:00:00.000Z',
        revoked_at: null,
        revoke_reason: null,
        status: 'expired',
        usage: { views: 0, unique_visitors: 0, downloads: 0, bytes_transferred: 0, last_accessed_at: null },
      },
    ]);
    const expired = await read(`/api/v1/collections/${C}/photo_sharing_links?status=expired`);
    expect(expired.data.links.map((link: { share_link_id: string }) => link.share_link_id)).toEqual(['L1']);
  });

  it('starred photos rank by engagement', async () => {
    const body = await read('/api/v1/photos/starred');
    expect(body.data).toEqual({
      totals: { starred_photos: 2, collections: 2, downloads: 2, favorites: 2, share_views: 2, truncated: false },
      collections: [C, OTHER_C]
        .sort()
        .map((collection_id) => ({ collection_id, starred_photos: 1, engagement_score: collection_id === C ? 6 : 0 })),
      photos: [
        {
          collection_id: C,
          photo_id: 'IMG_A',
          gallery_id: null,
          file_name: 'IMG_A.jpg',
          starred_at: '2026-03-29T10:00:00.000Z',
          engagement: { score: 6, downloads: 2, unique_downloaders: 2, favorites: 2, share_views: 2 },
        },
        {
          collection_id: OTHER_C,
          photo_id: 'IMG_Z',
          gallery_id: null,
          file_name: 'IMG_Z.jpg',
          starred_at: '2026-03-29T10:03:00.000Z',
          engagement: { score: 0, downloads: 0, unique_downloaders: 0, favorites: 0, share_views: 0 },
        },
      ],
    });
  });

  it('another account sees nothing of the collection', async () => {
    for (const endpoint of ['photo_downloads', 'gallery_video_downloads', 'downloads/', 'photo_sharing_links', 'favorites']) {
      const body = await read(`/api/v1/collections/${C}/${endpoint}?tz=Europe/Berlin`, KEYS.read);
      const lists = Object.values(body.data).filter(Array.isArray) as unknown[][];
      for (const list of lists) expect(list).toEqual([]);
    }
    const starred = await read('/api/v1/photos/starred', KEYS.read);
    const collections = starred.data.photos.map((photoRow: { collection_id: string }) => photoRow.collection_id);
    expect(collections).not.toContain(C);
    expect(collections).not.toContain(OTHER_C);
  });

  it('streams lists as CSV', async () => {
    const response = await fetch(`${(await import('./support/test-env')).readTestRun().queryUrl}/api/v1/collections/${C}/photo_downloads?limit=2`, {
      headers: { 'x-api-key': READ, accept: 'text/csv' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'event_id,downloaded_at,media_kind,client.id,client.email,client.name,media.id,media.gallery_id,media.file_name,media.file_format,media.size_bytes,status,bytes_transferred,duration_ms,http_status,share_link_id,download_id',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`${p4.event_id},2026-03-29T22:30:00.000Z,photo,client-2,,,IMG_B,,IMG_B.jpg,jpeg,1000,partial,500,,,,`);
  });
});

describe('keyset paging', () => {
  it('pages 120 events with one timestamp exactly once', async () => {
    const collection = uniqueCollection('paging');
    const at = '2026-05-01T12:00:00.000Z';
    const events = Array.from({ length: 120 }, (_, index) => photo(at, `IMG_${index}`, `client-${index % 7}`, 'completed', 10));
    for (const event of events) event.collection_id = collection;
    expect((await postEvents({ events }, INGEST)).status).toBe(202);
    await eventually('all 120 events', async () => {
      const body = await read(`/api/v1/collections/${collection}/photo_downloads?limit=1`);
      return body.data.totals.downloads === 120 ? true : undefined;
    });

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/collections/${collection}/photo_downloads?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const body = await read(path);
      pageSizes.push(body.data.downloads.length);
      seen.push(...body.data.downloads.map((row: { event_id: string }) => row.event_id));
      cursor = body.meta.next_cursor;

      if (pageSizes.length === 1) {
        // Events arriving between pages, at the same timestamp, must not show up in later pages.
        const late = Array.from({ length: 5 }, () => ({ ...photo(at, 'IMG_LATE', 'client-late', 'completed', 1), collection_id: collection, event_id: randomUUID() }));
        expect((await postEvents({ events: late }, INGEST)).status).toBe(202);
        await waitForConsumerCaughtUp();
      }
    } while (cursor);

    expect(pageSizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    expect([...seen].sort()).toEqual(events.map((event) => event.event_id).sort());
  });

  it('rejects a cursor of another endpoint', async () => {
    const collection = uniqueCollection('cursor');
    const events = Array.from({ length: 3 }, (_, index) => ({ ...photo('2026-05-01T12:00:00.000Z', `IMG_${index}`, 'client', 'completed', 1), collection_id: collection }));
    expect((await postEvents({ events }, INGEST)).status).toBe(202);
    await waitForConsumerCaughtUp();
    const first = await read(`/api/v1/collections/${collection}/photo_downloads?limit=1`);
    const wrong = await getJson(`/api/v1/collections/${collection}/favorites?cursor=${first.meta.next_cursor}`, READ);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].field).toBe('cursor');
  });
});
