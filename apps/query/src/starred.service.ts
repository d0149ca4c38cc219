import { Injectable } from '@nestjs/common';
import { formatIsoInstant } from '@gallery/contract';
import { ApiError } from '@gallery/http';
import { buildMeta } from './response-meta';
import { rangeWhere, ReadContext } from './scope';
import { MAX_STARRED, StarredRepository } from './starred.repository';
import { WatermarkRepository } from './watermark.repository';

interface RankedPhoto {
  collection_id: string;
  photo_id: string;
  gallery_id: string | null;
  file_name: string | null;
  starred_at: string;
  engagement: { score: number; downloads: number; unique_downloaders: number; favorites: number; share_views: number };
}

function keyOf(collection: string, media: string): string {
  return `${collection} ${media}`;
}

/** Sort key of a ranked photo: score descending, then collection and photo id ascending. */
function compareRanked(a: RankedPhoto, b: RankedPhoto): number {
  if (a.engagement.score !== b.engagement.score) return b.engagement.score - a.engagement.score;

  // Plain code-unit order, the same order the cursor comparison in startIndex uses.
  const keyA = keyOf(a.collection_id, a.photo_id);
  const keyB = keyOf(b.collection_id, b.photo_id);
  if (keyA === keyB) return 0;
  return keyA < keyB ? -1 : 1;
}

/**
 * Builds the starred photos response: every photo the account has starred now, ranked by
 * engagement (downloads + current favorites + share-link views, within `from`/`to`), with
 * per-collection counts.
 */
@Injectable()
export class StarredService {
  constructor(
    private readonly repository: StarredRepository,
    private readonly watermarks: WatermarkRepository,
  ) {}

  async starred(context: ReadContext) {
    const { scope, query, snapshotMs } = context;
    const [stars, watermark] = await Promise.all([this.repository.starred(scope.accountId, query.toMs), this.watermarks.completeThrough()]);
    const [engagement, favorites] = await Promise.all([
      this.repository.engagement(scope.accountId, query.toMs, snapshotMs, rangeWhere(query).text),
      this.repository.favoriteCounts(scope.accountId, query.toMs, snapshotMs),
    ]);
    const engagementByKey = new Map(engagement.map((row) => [keyOf(row.engaged_collection, row.engaged_media), row]));
    const favoritesByKey = new Map(favorites.map((row) => [keyOf(row.fav_collection, row.fav_media), Number(row.favorites)]));

    const ranked: RankedPhoto[] = stars.map((star) => {
      const key = keyOf(star.star_collection, star.star_media);
      const row = engagementByKey.get(key);
      const downloads = row ? Number(row.downloads) : 0;
      const shareViews = row ? Number(row.share_views) : 0;
      const favoriteCount = favoritesByKey.get(key) ?? 0;
      return {
        collection_id: star.star_collection,
        photo_id: star.star_media,
        gallery_id: star.star_gallery || null,
        file_name: star.star_file_name || null,
        starred_at: formatIsoInstant(Number(star.starred_ms)),
        engagement: {
          score: downloads + favoriteCount + shareViews,
          downloads,
          unique_downloaders: row ? Number(row.downloaders) : 0,
          favorites: favoriteCount,
          share_views: shareViews,
        },
      };
    });
    ranked.sort(compareRanked);

    const perCollection = new Map<string, { starred_photos: number; engagement_score: number }>();
    for (const photo of ranked) {
      const entry = perCollection.get(photo.collection_id) ?? { starred_photos: 0, engagement_score: 0 };
      entry.starred_photos++;
      entry.engagement_score += photo.engagement.score;
      perCollection.set(photo.collection_id, entry);
    }

    const start = this.startIndex(ranked, query.cursor?.after);
    const pageRows = ranked.slice(start, start + query.limit);
    const last = pageRows[pageRows.length - 1];
    const nextAfter = start + query.limit < ranked.length && last ? [last.engagement.score, keyOf(last.collection_id, last.photo_id)] : null;

    const data = {
      totals: {
        starred_photos: ranked.length,
        collections: perCollection.size,
        downloads: ranked.reduce((sum, photo) => sum + photo.engagement.downloads, 0),
        favorites: ranked.reduce((sum, photo) => sum + photo.engagement.favorites, 0),
        share_views: ranked.reduce((sum, photo) => sum + photo.engagement.share_views, 0),
        truncated: stars.length >= MAX_STARRED,
      },
      collections: [...perCollection.entries()]
        .map(([collection_id, entry]) => ({ collection_id, ...entry }))
        .sort((a, b) => b.starred_photos - a.starred_photos || (a.collection_id < b.collection_id ? -1 : 1)),
      photos: pageRows,
    };
    return { data, meta: buildMeta(context, 'starred', nextAfter, watermark) };
  }

  /** Index of the first photo after the cursor's (score, key) in the ranking. */
  private startIndex(ranked: RankedPhoto[], after: Array<string | number> | undefined): number {
    if (!after) return 0;
    const [score, key] = after;
    if (typeof score !== 'number' || typeof key !== 'string') {
      throw new ApiError(400, 'invalid_parameter', 'cursor is not a cursor returned by this endpoint; start again without it');
    }
    const index = ranked.findIndex((photo) => {
      const photoKey = keyOf(photo.collection_id, photo.photo_id);
      return photo.engagement.score < score || (photo.engagement.score === score && photoKey > key);
    });
    return index === -1 ? ranked.length : index;
  }
}
