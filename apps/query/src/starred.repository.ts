import { Injectable } from '@nestjs/common';
import { ClickHouseService, sql } from '@gallery/clickhouse';

export interface StarredRow {
  star_collection: string;
  star_media: string;
  star_file_name: string;
  star_gallery: string;
  starred_ms: string;
}

export interface EngagementRow {
  engaged_collection: string;
  engaged_media: string;
  downloads: string;
  downloaders: string;
  share_views: string;
}

export interface FavoriteCountRow {
  fav_collection: string;
  fav_media: string;
  favorites: string;
}

/** Most starred photos one response ranks; an account with more gets the first ones by star time. */
export const MAX_STARRED = 10_000;

/**
 * SQL for the starred photos endpoint, across all collections of the account. Star state is the
 * latest star event per photo by (time, unstar after star, event id), read from `star_events`.
 */
@Injectable()
export class StarredRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  private starredSql(accountId: string, toMs: number | undefined): string {
    const until = toMs !== undefined ? `AND occurred_at_ms < ${toMs}` : '';
    return `
      SELECT
        collection_id AS star_collection,
        media_id AS star_media,
        argMax(type, tuple(occurred_at_ms, type = 'photo.unstarred', event_id)) AS last_type,
        argMaxIf(file_name, tuple(occurred_at_ms, event_id), file_name != '') AS star_file_name,
        argMaxIf(gallery_id, tuple(occurred_at_ms, event_id), gallery_id != '') AS star_gallery,
        maxIf(occurred_at_ms, type = 'photo.starred') AS starred_ms
      FROM star_events
      WHERE ${sql`account_id = ${accountId}`} ${until}
      GROUP BY collection_id, media_id
      HAVING last_type = 'photo.starred'
    `;
  }

  /** Lists the photos starred now (or as of `toMs`), newest star first, at most {@link MAX_STARRED}. */
  async starred(accountId: string, toMs: number | undefined): Promise<StarredRow[]> {
    return this.clickhouse.query<StarredRow>(`
      SELECT star_collection, star_media, star_file_name, star_gallery, starred_ms
      FROM (${this.starredSql(accountId, toMs)})
      ORDER BY starred_ms DESC, star_collection, star_media
      LIMIT ${MAX_STARRED}
    `);
  }

  /** Returns the starred set as a subquery condition, so long id lists never go into the statement text. */
  private starredKeys(accountId: string, toMs: number | undefined): string {
    return `(collection_id, media_id) IN (SELECT star_collection, star_media FROM (${this.starredSql(accountId, toMs)}))`;
  }

  /** Downloads, distinct downloaders and share-link views of the given photos. */
  async engagement(accountId: string, toMs: number | undefined, snapshotMs: number, range: string): Promise<EngagementRow[]> {
    return this.clickhouse.query<EngagementRow>(`
      SELECT
        collection_id AS engaged_collection,
        media_id AS engaged_media,
        countIf(type = 'photo.downloaded') AS downloads,
        uniqExactIf(client_id, type = 'photo.downloaded') AS downloaders,
        countIf(type = 'share_link.accessed') AS share_views
      FROM events
      WHERE ${sql`account_id = ${accountId}`}
        AND ${this.starredKeys(accountId, toMs)}
        AND type IN ('photo.downloaded', 'share_link.accessed')
        AND received_at_ms <= ${snapshotMs} AND ${range}
      GROUP BY collection_id, media_id
    `);
  }

  /** Current favorites of the given photos, folded as in the favorites endpoint. */
  async favoriteCounts(accountId: string, toMs: number | undefined, snapshotMs: number): Promise<FavoriteCountRow[]> {
    return this.clickhouse.query<FavoriteCountRow>(`
      SELECT fav_collection, fav_media, count() AS favorites
      FROM (
        SELECT
          collection_id AS fav_collection,
          media_id AS fav_media,
          argMax(type, tuple(occurred_at_ms, type = 'favorite.removed', event_id)) AS last_type
        FROM events
        WHERE ${sql`account_id = ${accountId}`}
          AND ${this.starredKeys(accountId, toMs)}
          AND type IN ('favorite.added', 'favorite.removed')
          AND received_at_ms <= ${snapshotMs}
        GROUP BY collection_id, media_id, client_id
        HAVING last_type = 'favorite.added'
      )
      GROUP BY fav_collection, fav_media
    `);
  }
}
