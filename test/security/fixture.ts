import { randomUUID } from 'node:crypto';
import { EventType } from '@gallery/contract';
import { exampleEvent, postEvents, uniqueCollection, waitForConsumerCaughtUp } from '../support/api';
import { KEYS } from '../support/test-env';

/** Query-app endpoints of one collection, as paths after /api/v1/collections/{id}/. */
export const COLLECTION_ENDPOINTS = ['photo_downloads', 'gallery_video_downloads', 'downloads/', 'photo_sharing_links', 'favorites'] as const;

/** Statuses each endpoint's `status` filter accepts; favorites has no status filter. */
export const ENDPOINT_STATUSES: Record<string, string[]> = {
  photo_downloads: ['completed', 'failed'],
  gallery_video_downloads: ['started', 'completed'],
  'downloads/': ['completed', 'cancelled'],
  photo_sharing_links: ['active', 'revoked'],
  favorites: [],
};

/** Ids of the fixture's data, unique per run, so tests can search responses for them. */
export interface TenantFixture {
  collectionId: string;
  clientId: string;
  photoId: string;
  videoId: string;
  linkId: string;
  email: string;
}

/**
 * Posts one event of every type into a new collection of the acct_demo account, with personal
 * data on the client, and waits until the consumer has stored them.
 */
export async function postTenantFixture(): Promise<TenantFixture> {
  const suffix = randomUUID().slice(0, 8);
  const fixture: TenantFixture = {
    collectionId: uniqueCollection('tenant'),
    clientId: `client-${suffix}`,
    photoId: `photo-${suffix}`,
    videoId: `video-${suffix}`,
    linkId: `link-${suffix}`,
    email: `person-${suffix}@example.com`,
  };
  const C = fixture.collectionId;
  const client = { id: fixture.clientId, email: fixture.email, name: 'Ada Lovelace', ip_address: '203.0.113.77', user_agent: 'Mozilla/5.0 test' };
  const photo = { id: fixture.photoId, file_name: `${fixture.photoId}.jpg`, format: 'jpeg', size_bytes: 1000 };
  const link = { id: fixture.linkId, url: `https://gallery.example.com/s/${fixture.linkId}`, media_ids: [fixture.photoId], permissions: ['view'] };
  const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`;

  const events = [
    exampleEvent(EventType.PhotoDownloaded, C, { occurred_at: at(1), client, photo, status: 'completed', bytes_transferred: 1000 }),
    exampleEvent(EventType.PhotoDownloaded, C, { occurred_at: at(2), client, photo, status: 'failed', bytes_transferred: 10 }),
    exampleEvent(EventType.VideoDownload, C, {
      occurred_at: at(3),
      client,
      download_id: `dl-${suffix}`,
      video: { id: fixture.videoId, file_name: `${fixture.videoId}.mp4`, format: 'mp4' },
      status: 'started',
      bytes_transferred: 0,
    }),
    exampleEvent(EventType.VideoDownload, C, {
      occurred_at: at(4),
      client,
      download_id: `dl-${suffix}`,
      video: { id: fixture.videoId, file_name: `${fixture.videoId}.mp4`, format: 'mp4' },
      status: 'completed',
      bytes_transferred: 5000,
    }),
    exampleEvent(EventType.ShareLinkCreated, C, { occurred_at: at(5), share_link: link, created_by: client }),
    exampleEvent(EventType.ShareLinkAccessed, C, { occurred_at: at(6), share_link_id: fixture.linkId, visitor: client, media_id: fixture.photoId }),
    exampleEvent(EventType.FavoriteAdded, C, { occurred_at: at(7), client, media: { id: fixture.photoId, kind: 'photo', file_name: photo.file_name } }),
    exampleEvent(EventType.PhotoStarred, C, { occurred_at: at(8), photo: { id: fixture.photoId, file_name: photo.file_name } }),
  ];
  const response = await postEvents({ events }, KEYS.ingest);
  if (response.status !== 202) throw new Error(`posting the tenant fixture failed with ${response.status}: ${JSON.stringify(response.body)}`);
  await waitForConsumerCaughtUp();
  return fixture;
}
