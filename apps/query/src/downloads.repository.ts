import { Injectable } from '@nestjs/common';
import { ClickHouseService, fragment, SqlFragment, sql } from '@gallery/clickhouse';

/** Rows counted as downloads: every photo download, and video downloads once they closed. */
const DOWNLOAD_ROWS = fragment`(type = 'photo.downloaded' OR (type = 'video.download' AND status != 'started'))`;
const PHOTO_ROWS = fragment`type = 'photo.downloaded'`;

export interface Scope {
  accountId: string;
  collectionId: string;
}

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
  bucket: string;
  downloads: string;
  photo_downloads: string;
  video_downloads: string;
  failed: string;
  total_bytes: string;
  unique_clients: string;
}

/**
 * SQL over the `events` table for the download endpoints. Every statement is limited to the
 * caller's account and one collection, both in the primary key, so it reads only that range.
 */
@Injectable()
export class DownloadsRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  private where(scope: Scope, rows: SqlFragment): string {
    return sql`account_id = ${scope.accountId} AND collection_id = ${scope.collectionId} AND ${rows}`;
  }

  async totals(scope: Scope, photosOnly: boolean): Promise<TotalsRow> {
    const [row] = await this.clickhouse.query<TotalsRow>(`
      SELECT
        count() AS downloads,
        countIf(type = 'photo.downloaded') AS photo_downloads,
        countIf(type = 'video.download') AS video_downloads,
        countIf(status = 'completed') AS completed,
        countIf(status = 'partial') AS partial,
        countIf(status = 'failed') AS failed,
        countIf(status = 'cancelled') AS cancelled,
        uniqExact(media_id) AS unique_media,
        uniqExact(client_id) AS unique_clients,
        sum(bytes_transferred) AS total_bytes,
        countIf(ifNull(duration_ms, 0) > 0) AS timed_downloads,
        sumIf(bytes_transferred, ifNull(duration_ms, 0) > 0) AS timed_bytes,
        sum(ifNull(duration_ms, 0)) AS timed_duration_ms,
        quantilesExactIf(0.5, 0.9, 0.99)(ifNull(duration_ms, 0), isNotNull(duration_ms)) AS duration_quantiles_ms,
        min(occurred_at_ms) AS first_ms,
        max(occurred_at_ms) AS last_ms
      FROM events
      WHERE ${this.where(scope, photosOnly ? PHOTO_ROWS : DOWNLOAD_ROWS)}
    `);
    return row;
  }

  async perMedia(scope: Scope, photosOnly: boolean, limit: number): Promise<PerMediaRow[]> {
    return this.clickhouse.query<PerMediaRow>(`
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
        max(occurred_at_ms) AS last_ms
      FROM events
      WHERE ${this.where(scope, photosOnly ? PHOTO_ROWS : DOWNLOAD_ROWS)}
      GROUP BY media_id
      ORDER BY downloads DESC, media_id ASC
      LIMIT ${limit}
    `);
  }

  async recent(scope: Scope, photosOnly: boolean, limit: number): Promise<DownloadRow[]> {
    return this.clickhouse.query<DownloadRow>(`
      SELECT event_id, occurred_at_ms, media_kind, client_id, client_email, client_name, media_id, gallery_id,
             file_name, file_format, file_size_bytes, bytes_transferred, status, duration_ms, http_status,
             share_link_id, download_id
      FROM events
      WHERE ${this.where(scope, photosOnly ? PHOTO_ROWS : DOWNLOAD_ROWS)}
      ORDER BY occurred_at DESC, occurred_at_ms DESC, event_id DESC
      LIMIT ${limit}
    `);
  }

  async clients(scope: Scope, limit: number): Promise<ClientActivityRow[]> {
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
      WHERE ${this.where(scope, DOWNLOAD_ROWS)}
      GROUP BY client_id
      ORDER BY last_ms DESC, client_id ASC
      LIMIT ${limit}
    `);
  }

  /** Downloads per UTC day, only for days that have any. */
  async dailyTimeline(scope: Scope): Promise<TimelineRow[]> {
    return this.clickhouse.query<TimelineRow>(`
      SELECT
        toString(toDate(occurred_at, 'UTC')) AS bucket,
        count() AS downloads,
        countIf(type = 'photo.downloaded') AS photo_downloads,
        countIf(type = 'video.download') AS video_downloads,
        countIf(status = 'failed') AS failed,
        sum(bytes_transferred) AS total_bytes,
        uniqExact(client_id) AS unique_clients
      FROM events
      WHERE ${this.where(scope, DOWNLOAD_ROWS)}
      GROUP BY bucket
      ORDER BY bucket
    `);
  }
}
