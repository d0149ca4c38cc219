import { Injectable } from '@nestjs/common';
import { ClickHouseService, sql } from '@gallery/clickhouse';
import { ListQuery } from './query-params';
import { afterDescending, collectionFilter, filterWhere, rangeWhere, ReadContext } from './scope';

export interface VideoDownloadRow {
  download_id: string;
  video_id: string;
  video_file_name: string;
  video_format: string;
  video_codec: string;
  video_size_bytes: string | null;
  video_length_ms: string | null;
  video_width: number | null;
  video_height: number | null;
  video_client_id: string;
  video_client_email: string;
  video_client_name: string;
  started_ms: string;
  has_start: number;
  finished_ms: string;
  has_finish: number;
  final_status: string;
  final_bytes: string;
  final_duration_ms: string;
  last_ms: string;
  failure_reason: string;
}

/** The columns {@link STATUS_COUNTS} produces. */
export interface StatusCountsRow {
  downloads: string;
  in_progress: string;
  completed: string;
  partial: string;
  failed: string;
  cancelled: string;
}

export interface VideoTotalsRow extends StatusCountsRow {
  unique_videos: string;
  unique_clients: string;
  total_bytes: string;
}

export interface PerVideoRow extends StatusCountsRow {
  video_id: string;
  latest_file_name: string;
  latest_format: string;
  latest_codec: string;
  latest_size_bytes: string | null;
  latest_duration_ms: string | null;
  unique_clients: string;
  total_bytes: string;
  video_last_ms: string;
}

/** Folded downloads by final status; a download still `started` is in progress, not counted. */
const STATUS_COUNTS = `countIf(final_status != 'started') AS downloads,
        countIf(final_status = 'started') AS in_progress,
        countIf(final_status = 'completed') AS completed,
        countIf(final_status = 'partial') AS partial,
        countIf(final_status = 'failed') AS failed,
        countIf(final_status = 'cancelled') AS cancelled`;

/**
 * SQL for the video downloads endpoint. The steps of one download (same `download_id`) fold into
 * one row: the latest step by (time, closing before `started`, event id) gives its status, so
 * the result does not depend on the order rows were inserted or merged.
 */
@Injectable()
export class VideosRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /** Per-download rows; the status filter applies to the folded status. */
  private foldedSql(context: ReadContext): string {
    const withoutStatus: ListQuery = { ...context.query, status: undefined };
    return `
      SELECT
        download_id,
        argMax(media_id, tuple(occurred_at_ms, event_id)) AS video_id,
        argMax(file_name, tuple(occurred_at_ms, event_id)) AS video_file_name,
        argMax(file_format, tuple(occurred_at_ms, event_id)) AS video_format,
        argMax(codec, tuple(occurred_at_ms, event_id)) AS video_codec,
        max(file_size_bytes) AS video_size_bytes,
        max(video_duration_ms) AS video_length_ms,
        max(width) AS video_width,
        max(height) AS video_height,
        argMax(client_id, tuple(occurred_at_ms, event_id)) AS video_client_id,
        argMax(client_email, tuple(occurred_at_ms, event_id)) AS video_client_email,
        argMax(client_name, tuple(occurred_at_ms, event_id)) AS video_client_name,
        minIf(occurred_at_ms, status = 'started') AS started_ms,
        countIf(status = 'started') > 0 AS has_start,
        maxIf(occurred_at_ms, status != 'started') AS finished_ms,
        countIf(status != 'started') > 0 AS has_finish,
        argMax(status, tuple(occurred_at_ms, status != 'started', event_id)) AS final_status,
        max(bytes_transferred) AS final_bytes,
        max(ifNull(duration_ms, 0)) AS final_duration_ms,
        max(occurred_at_ms) AS last_ms,
        argMax(reason, tuple(occurred_at_ms, status != 'started', event_id)) AS failure_reason
      FROM events
      ${collectionFilter(context, `type = 'video.download'`, rangeWhere(context.query), filterWhere(withoutStatus))}
      GROUP BY download_id
      ${context.query.status !== undefined ? sql`HAVING final_status = ${context.query.status}` : ''}
    `;
  }

  listSql(context: ReadContext, limit: number): string {
    return `
      SELECT *
      FROM (${this.foldedSql(context)})
      WHERE ${afterDescending('last_ms', 'download_id', context.query.cursor?.after)}
      ORDER BY last_ms DESC, download_id DESC
      ${limit < Number.MAX_SAFE_INTEGER ? `LIMIT ${limit}` : ''}
    `;
  }

  async list(context: ReadContext, limit: number): Promise<VideoDownloadRow[]> {
    return this.clickhouse.query<VideoDownloadRow>(this.listSql(context, limit));
  }

  /**
   * Reads the per-video rows, most downloaded first, and in the same statement the totals over all
   * downloads (the WITH TOTALS row), so the downloads are folded once for both.
   */
  async perVideoWithTotals(context: ReadContext, limit: number): Promise<{ videos: PerVideoRow[]; totals: VideoTotalsRow }> {
    const { rows, totals } = await this.clickhouse.queryWithTotals<PerVideoRow, VideoTotalsRow>(`
      SELECT
        video_id,
        argMax(video_file_name, last_ms) AS latest_file_name,
        argMax(video_format, last_ms) AS latest_format,
        argMax(video_codec, last_ms) AS latest_codec,
        max(video_size_bytes) AS latest_size_bytes,
        max(video_length_ms) AS latest_duration_ms,
        ${STATUS_COUNTS},
        uniqExact(video_client_id) AS unique_clients,
        sum(final_bytes) AS total_bytes,
        max(last_ms) AS video_last_ms,
        uniqExact(video_id) AS unique_videos
      FROM (${this.foldedSql(context)})
      GROUP BY video_id WITH TOTALS
      ORDER BY downloads DESC, video_id ASC
      LIMIT ${limit}
    `);
    return { videos: rows, totals };
  }
}
