import { Injectable } from '@nestjs/common';
import { formatIsoInstant } from '@gallery/contract';
import { exactInteger } from '@gallery/http';
import { FavoriteRow, FavoritesRepository, PerMediaFavoritesRow } from './favorites.repository';
import { buildMeta, page } from './response-meta';
import { ReadContext } from './scope';
import { WatermarkRepository } from './watermark.repository';

const MAX_MEDIA_SUMMARY = 1000;

export function toFavorite(row: FavoriteRow) {
  return {
    media: { id: row.fav_media, kind: row.fav_kind, file_name: row.fav_file_name || null },
    client: { id: row.fav_client, email: row.fav_client_email || null, name: row.fav_client_name || null },
    favorited_at: formatIsoInstant(Number(row.favorited_ms)),
  };
}

function toPerMedia(row: PerMediaFavoritesRow) {
  return {
    media_id: row.fav_media,
    media_kind: row.media_kind_latest,
    file_name: row.file_name_latest || null,
    favorites: exactInteger(row.favorites),
    client_ids: row.client_ids,
    last_favorited_at: formatIsoInstant(Number(row.last_favorited_ms)),
  };
}

/** Builds the favorites response: what is favorited now, by which client, and counts per media item. */
@Injectable()
export class FavoritesService {
  constructor(
    private readonly repository: FavoritesRepository,
    private readonly watermarks: WatermarkRepository,
  ) {}

  async favorites(context: ReadContext) {
    const [{ media, totals }, activity, listed, watermark] = await Promise.all([
      this.repository.perMediaWithTotals(context, MAX_MEDIA_SUMMARY),
      this.repository.activity(context),
      this.repository.list(context, context.query.limit + 1),
      this.watermarks.completeThrough(),
    ]);
    const { rows, nextAfter } = page(listed, context.query, (row) => [Number(row.favorited_ms), row.pair_key]);
    const data = {
      collection_id: context.scope.collectionId,
      totals: {
        favorites: exactInteger(totals.favorites),
        favorited_media: exactInteger(totals.favorited_media),
        clients: exactInteger(totals.clients),
        added: exactInteger(activity.adds),
        removed: exactInteger(activity.removes),
      },
      media: media.map(toPerMedia),
      favorites: rows.map(toFavorite),
    };
    return { data, meta: buildMeta(context, 'favorites', nextAfter, watermark) };
  }
}
