import { EventType } from '@gallery/contract';
import { exampleEvent } from './api';

/**
 * Builds a mixed batch for the fault tests: photo downloads (completed, partial, failed), closed video
 * downloads, favorites and stars over `collections`, with distinct byte counts so that a lost or
 * doubled event changes the sums.
 */
export function mixedEvents(collections: readonly string[], count: number, seed: number): Record<string, any>[] {
  const statuses = ['completed', 'partial', 'failed'];
  return Array.from({ length: count }, (_, index) => {
    const collection = collections[index % collections.length];
    const n = seed * 10_000 + index;
    const occurredAt = new Date(Date.UTC(2026, 5, 1 + (n % 20), n % 24, n % 60)).toISOString();
    switch (index % 5) {
      case 0:
      case 1:
        return exampleEvent(EventType.PhotoDownloaded, collection, {
          occurred_at: occurredAt,
          status: statuses[n % 3],
          bytes_transferred: 1_000 + n,
          client: { id: `client-${n % 7}` },
          photo: { id: `IMG_${n % 11}`, file_name: `IMG_${n % 11}.jpg`, format: 'jpeg', size_bytes: 50_000 },
          http_status: [200, 206, 500][n % 3],
        });
      case 2:
        return exampleEvent(EventType.VideoDownload, collection, { occurred_at: occurredAt, status: 'completed', bytes_transferred: 2_000_000 + n, download_id: `dl-${n}` });
      case 3:
        return exampleEvent(EventType.FavoriteAdded, collection, { occurred_at: occurredAt });
      default:
        return exampleEvent(EventType.PhotoStarred, collection, { occurred_at: occurredAt });
    }
  });
}
