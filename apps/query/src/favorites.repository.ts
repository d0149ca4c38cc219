import { Injectable } from '@nestjs/common';
import { ClickHouseService, sql } from '@gallery/clickhouse';
import { afterDescending, collectionFilter, ReadContext } from './scope';

export interface FavoriteRow {
  fav_client: string;
  fav_media: string;
  pair_key: string;
  fav_kind: string;
  fav_file_name: string;
  fav_client_email: string;
  fav_client_name: string;
  favorited_ms: string;
}

export interface PerMediaFavoritesRow {
  fav_media: string;
  media_kind_latest: string;
  file_name_latest: string;
  favorites: string;
  client_ids: string[];
  last_favorited_ms: string;
}

/** Totals of the current favorites. */
export interface CurrentTotalsRow {
  favorites: string;
  favorited_media: string;
  clients: string;
}

export interface ActivityRow {
  adds: string;
  removes: string;
}

/**
 * SQL for the favorites endpoint. The state of each (client, media) pair is its latest event by
 * (time, removal after addition, event id): a removal at the same millisecond as an addition wins,
 * whatever order the rows were inserted or merged in. `to` gives the state as of that instant;
 * `from` keeps favorites added at or after it.
 */
@Injectable()
export class FavoritesRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  private currentSql(context: ReadContext): string {
    const { query } = context;
    const conditions = [`type IN ('favorite.added', 'favorite.removed')`];
    if (query.toMs !== undefined) conditions.push(`occurred_at_ms < ${query.toMs}`);
    if (query.clientId !== undefined) conditions.push(sql`client_id = ${query.clientId}`);
    if (query.mediaId !== undefined) conditions.push(sql`media_id = ${query.mediaId}`);
    const since = query.fromMs !== undefined ? ` AND favorited_ms >= ${query.fromMs}` : '';
    const latest = `tuple(occurred_at_ms, event_id)`;
    return `
      SELECT
        client_id AS fav_client,
        media_id AS fav_media,
        concat(media_id, ' ', client_id) AS pair_key,
        argMax(type, tuple(occurred_at_ms, type = 'favorite.removed', event_id)) AS last_type,
        argMax(media_kind, ${latest}) AS fav_kind,
        argMaxIf(file_name, ${latest}, file_name != '') AS fav_file_name,
        argMaxIf(client_email, ${latest}, client_email != '') AS fav_client_email,
        argMaxIf(client_name, ${latest}, client_name != '') AS fav_client_name,
        maxIf(occurred_at_ms, type = 'favorite.added') AS favorited_ms
      FROM events
      ${collectionFilter(context, ...conditions)}
      GROUP BY client_id, media_id
      HAVING last_type = 'favorite.added'${since}
    `;
  }

  listSql(context: ReadContext, limit: number): string {
    return `
      SELECT fav_client, fav_media, pair_key, fav_kind, fav_file_name, fav_client_email, fav_client_name, favorited_ms
      FROM (${this.currentSql(context)})
      WHERE ${afterDescending('favorited_ms', 'pair_key', context.query.cursor?.after)}
      ORDER BY favorited_ms DESC, pair_key DESC
      ${limit < Number.MAX_SAFE_INTEGER ? `LIMIT ${limit}` : ''}
    `;
  }

  async list(context: ReadContext, limit: number): Promise<FavoriteRow[]> {
    return this.clickhouse.query<FavoriteRow>(this.listSql(context, limit));
  }

  /**
   * Reads the per-media rows, most favorited first, and in the same statement the totals of the
   * current favorites (the WITH TOTALS row), so the favorite states are folded once for both.
   */
  async perMediaWithTotals(context: ReadContext, limit: number): Promise<{ media: PerMediaFavoritesRow[]; totals: CurrentTotalsRow }> {
    const { rows, totals } = await this.clickhouse.queryWithTotals<PerMediaFavoritesRow, CurrentTotalsRow>(`
      SELECT
        fav_media,
        any(fav_kind) AS media_kind_latest,
        max(fav_file_name) AS file_name_latest,
        count() AS favorites,
        arraySort(groupArray(fav_client)) AS client_ids,
        max(favorited_ms) AS last_favorited_ms,
        uniqExact(fav_media) AS favorited_media,
        uniqExact(fav_client) AS clients
      FROM (${this.currentSql(context)})
      GROUP BY fav_media WITH TOTALS
      ORDER BY favorites DESC, fav_media ASC
      LIMIT ${limit}
    `);
    return { media: rows, totals };
  }

  /** Counts the added and removed events in the `from`/`to` range that match the client and media filters. */
  async activity(context: ReadContext): Promise<ActivityRow> {
    const { query } = context;
    const conditions = [`type IN ('favorite.added', 'favorite.removed')`];
    if (query.fromMs !== undefined) conditions.push(`occurred_at_ms >= ${query.fromMs}`);
    if (query.toMs !== undefined) conditions.push(`occurred_at_ms < ${query.toMs}`);
    if (query.clientId !== undefined) conditions.push(sql`client_id = ${query.clientId}`);
    if (query.mediaId !== undefined) conditions.push(sql`media_id = ${query.mediaId}`);
    const [row] = await this.clickhouse.query<ActivityRow>(`
      SELECT countIf(type = 'favorite.added') AS adds, countIf(type = 'favorite.removed') AS removes
      FROM events
      ${collectionFilter(context, ...conditions)}
    `);
    return row;
  }
}
