import { Injectable } from '@nestjs/common';
import { ClickHouseService, SqlFragment, sql } from '@gallery/clickhouse';
import { afterDescending, collectionFilter, collectionPrewhere, DOWNLOAD_ROWS, filterWhere, rangeWhere, ReadContext } from './scope';
import { bucketSql } from './time-zones';

const PHOTO_ROWS = new SqlFragment(`type = 'photo.downloaded'`);

export interface TotalsRow {
  downloads: string;
  photo_downloads: string;
  video_downloads: string;
  completed: string;
  partial: string;
  failed: string;
  cancelled: string;
  unique_media: string;
  unique_clients: string;
  total_bytes: string;
  timed_downloads: string;
  timed_bytes: string;
  timed_duration_ms: string;
  duration_quantiles_ms: Array<number | string>;
  first_ms: string;
  last_ms: string;
}

export interface PerMediaRow {
  media_id: string;
  latest_media_kind: string;
  latest_file_name: string;
  latest_file_format: string;
  size_bytes: string | null;
  downloads: string;
  completed: string;
  unique_clients: string;
  total_bytes: string;
  first_ms: string;
  last_ms: string;
}

export interface DownloadRow {
  event_id: string;
  occurred_at_ms: string;
  media_kind: string;
  client_id: string;
  client_email: string;
  client_name: string;
  media_id: string;
  gallery_id: string;
  file_name: string;
  file_format: string;
  file_size_bytes: string | null;
  bytes_transferred: string;
  status: string;
  duration_ms: string | null;
  http_status: number;
  share_link_id: string;
  download_id: string;
}

export interface ClientActivityRow {
  client_id: string;
  latest_client_email: string;
  latest_client_name: string;
  downloads: string;
  photo_downloads: string;
  video_downloads: string;
  failed: string;
  total_bytes: string;
  first_ms: string;
  last_ms: string;
}

export interface TimelineRow {
  /** Bucket start in Unix seconds. */
  bucket_start: string;
  downloads: string;
  photo_downloads: string;
  video_downloads: string;
  failed: string;
  total_bytes: string;
  unique_clients: string;
}

/** Columns of a download row, in the order the list and the CSV export use. */
export const DOWNLOAD_COLUMNS = `event_id, occurred_at_ms, media_kind, client_id, client_email, client_name, media_id, gallery_id,
  file_name, file_format, file_size_bytes, bytes_transferred, status, duration_ms, http_status, share_link_id, download_id`;

/**
 * SQL over `events` and the `downloads_15m` rollup for the download endpoints. Every statement is
 * limited to the caller's account and one collection, both leading the sort key.
 */
@Injectable()
export class DownloadsRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /** Builds the PREWHERE and WHERE clauses of the download rows the request selects. */
  private filter(context: ReadContext, photosOnly: boolean, ...conditions: SqlFragment[]): string {
    const rows = photosOnly ? PHOTO_ROWS : DOWNLOAD_ROWS;
    return collectionFilter(context, rows, rangeWhere(context.query), filterWhere(context.query), ...conditions);
  }

  /**
   * Reads the downloads per media item, most downloaded first, and in the same statement the totals
   * over all downloads (the WITH TOTALS row). The per-media columns that share a name with a
   * {@link TotalsRow} field compute the same aggregate, and the other totals fields are added as
   * columns; per-media rows carry them too, but only the totals row is read for them.
   */
  async perMediaWithTotals(context: ReadContext, photosOnly: boolean, limit: number): Promise<{ media: PerMediaRow[]; totals: TotalsRow }> {
    const { rows, totals } = await this.clickhouse.queryWithTotals<PerMediaRow, TotalsRow>(`
      SELECT
        media_id,
        argMax(media_kind, occurred_at_ms) AS latest_media_kind,
        argMax(file_name, occurred_at_ms) AS latest_file_name,
        argMax(file_format, occurred_at_ms) AS latest_file_format,
        max(file_size_bytes) AS size_bytes,
        count() AS downloads,
        countIf(status = 'completed') AS completed,
        uniqExact(client_id) AS unique_clients,
        sum(bytes_transferred) AS total_bytes,
        min(occurred_at_ms) AS first_ms,
        max(occurred_at_ms) AS last_ms,
        countIf(type = 'photo.downloaded') AS photo_downloads,
        countIf(type = 'video.download') AS video_downloads,
        countIf(status = 'partial') AS partial,
        countIf(status = 'failed') AS failed,
        countIf(status = 'cancelled') AS cancelled,
        uniqExact(media_id) AS unique_media,
        countIf(ifNull(duration_ms, 0) > 0) AS timed_downloads,
        sumIf(bytes_transferred, ifNull(duration_ms, 0) > 0) AS timed_bytes,
        sum(ifNull(duration_ms, 0)) AS timed_duration_ms,
        quantilesExactIf(0.5, 0.9, 0.99)(ifNull(duration_ms, 0), isNotNull(duration_ms)) AS duration_quantiles_ms
      FROM events
      ${this.filter(context, photosOnly)}
      GROUP BY media_id WITH TOTALS
      ORDER BY downloads DESC, media_id ASC
      LIMIT ${limit}
    `);
    return { media: rows, totals };
  }

  /** Builds the SQL of one page of downloads, newest first, after the cursor. */
  listSql(context: ReadContext, photosOnly: boolean, limit: number): string {
    return `
      SELECT ${DOWNLOAD_COLUMNS}
      FROM events
      ${this.filter(context, photosOnly, afterDescending('occurred_at_ms', 'event_id', context.query.cursor?.after))}
      ORDER BY occurred_at_ms DESC, event_id DESC
      ${limit < Number.MAX_SAFE_INTEGER ? `LIMIT ${limit}` : ''}
    `;
  }

  async list(context: ReadContext, photosOnly: boolean, limit: number): Promise<DownloadRow[]> {
    return this.clickhouse.query<DownloadRow>(this.listSql(context, photosOnly, limit));
  }

  async clients(context: ReadContext, limit: number): Promise<ClientActivityRow[]> {
    return this.clickhouse.query<ClientActivityRow>(`
      SELECT
        client_id,
        argMax(client_email, occurred_at_ms) AS latest_client_email,
        argMax(client_name, occurred_at_ms) AS latest_client_name,
        count() AS downloads,
        countIf(type = 'photo.downloaded') AS photo_downloads,
        countIf(type = 'video.download') AS video_downloads,
        countIf(status = 'failed') AS failed,
        sum(bytes_transferred) AS total_bytes,
        min(occurred_at_ms) AS first_ms,
        max(occurred_at_ms) AS last_ms
      FROM events
      ${this.filter(context, false)}
      GROUP BY client_id
      ORDER BY last_ms DESC, client_id ASC
      LIMIT ${limit}
    `);
  }

  /** Downloads per bucket of the requested interval and zone, from raw events. */
  async timelineFromEvents(context: ReadContext): Promise<TimelineRow[]> {
    const zone = sql`${context.query.timeZone}`;
    return this.clickhouse.query<TimelineRow>(`
      SELECT
        toString(${bucketSql('occurred_at', context.query.interval, zone)}) AS bucket_start,
        count() AS downloads,
        countIf(media_kind = 'photo') AS photo_downloads,
        countIf(media_kind = 'video') AS video_downloads,
        countIf(status = 'failed') AS failed,
        sum(bytes_transferred) AS total_bytes,
        uniqExact(client_id) AS unique_clients
      FROM events
      ${this.filter(context, false)}
      GROUP BY bucket_start
      ORDER BY bucket_start
    `);
  }

  /**
   * Reads the same timeline from the `downloads_15m` rollup. Valid only without client or media
   * filters and for ranges on 15-minute boundaries, which {@link canUseRollup} checks.
   */
  async timelineFromRollup(context: ReadContext): Promise<TimelineRow[]> {
    const { scope, query } = context;
    const zone = sql`${query.timeZone}`;
    const conditions: string[] = [];
    if (query.fromMs !== undefined) conditions.push(`bucket >= toDateTime(${query.fromMs / 1000}, 'UTC')`);
    if (query.toMs !== undefined) conditions.push(`bucket < toDateTime(${query.toMs / 1000}, 'UTC')`);
    if (query.status !== undefined) conditions.push(sql`status = ${query.status}`);
    // Aliases differ from the rollup's column names, because ClickHouse would otherwise resolve the
    // names inside the -Merge functions to the aliases. The outer SELECT restores the field names.
    return this.clickhouse.query<TimelineRow>(`
      SELECT bucket_start, merged_downloads AS downloads, merged_photo AS photo_downloads, merged_video AS video_downloads,
             merged_failed AS failed, merged_bytes AS total_bytes, merged_clients AS unique_clients
      FROM (
        SELECT
          toString(${bucketSql('bucket', query.interval, zone)}) AS bucket_start,
          countMerge(downloads) AS merged_downloads,
          countMergeIf(downloads, media_kind = 'photo') AS merged_photo,
          countMergeIf(downloads, media_kind = 'video') AS merged_video,
          countMergeIf(downloads, status = 'failed') AS merged_failed,
          sumMerge(bytes) AS merged_bytes,
          uniqExactMerge(clients) AS merged_clients
        FROM downloads_15m
        ${collectionPrewhere(scope)}
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        GROUP BY bucket_start
      )
      ORDER BY bucket_start
    `);
  }
}

const FIFTEEN_MINUTES_MS = 15 * 60_000;

/** Returns whether the rollup applies: no client or media filter, and a range on 15-minute boundaries. */
export function canUseRollup(context: ReadContext): boolean {
  const { query } = context;
  if (query.clientId !== undefined || query.mediaId !== undefined || query.cursor !== undefined) return false;
  const aligned = (ms: number | undefined) => ms === undefined || ms % FIFTEEN_MINUTES_MS === 0;
  return aligned(query.fromMs) && aligned(query.toMs);
}
