import { Injectable } from '@nestjs/common';
import { formatIsoInstant } from '@gallery/contract';
import { exactInteger } from '@gallery/http';
import { nullableInteger } from './json-values';
import { buildMeta, page } from './response-meta';
import { ReadContext } from './scope';
import { PerVideoRow, VideoDownloadRow, VideosRepository, VideoTotalsRow } from './videos.repository';
import { WatermarkRepository } from './watermark.repository';

const MAX_VIDEO_SUMMARY = 1000;


/** Share of closed downloads that completed; null when none closed. */
function completionRate(completed: string, closed: string): number | null {
  return Number(closed) > 0 ? Number(completed) / Number(closed) : null;
}

export function toVideoDownload(row: VideoDownloadRow) {
  return {
    download_id: row.download_id,
    video: {
      id: row.video_id,
      file_name: row.video_file_name,
      format: row.video_format,
      codec: row.video_codec || null,
      size_bytes: nullableInteger(row.video_size_bytes),
      duration_ms: nullableInteger(row.video_length_ms),
      width: row.video_width,
      height: row.video_height,
    },
    client: { id: row.video_client_id, email: row.video_client_email || null, name: row.video_client_name || null },
    started_at: Number(row.has_start) ? formatIsoInstant(Number(row.started_ms)) : null,
    finished_at: Number(row.has_finish) ? formatIsoInstant(Number(row.finished_ms)) : null,
    status: row.final_status,
    bytes_transferred: exactInteger(row.final_bytes),
    duration_ms: Number(row.final_duration_ms) > 0 ? exactInteger(row.final_duration_ms) : null,
    failure_reason: row.failure_reason || null,
  };
}

function toPerVideo(row: PerVideoRow) {
  return {
    video_id: row.video_id,
    file_name: row.latest_file_name,
    format: row.latest_format,
    codec: row.latest_codec || null,
    size_bytes: nullableInteger(row.latest_size_bytes),
    duration_ms: nullableInteger(row.latest_duration_ms),
    downloads: exactInteger(row.downloads),
    in_progress: exactInteger(row.in_progress),
    completed: exactInteger(row.completed),
    partial: exactInteger(row.partial),
    failed: exactInteger(row.failed),
    cancelled: exactInteger(row.cancelled),
    completion_rate: completionRate(row.completed, row.downloads),
    unique_clients: exactInteger(row.unique_clients),
    bytes_transferred: exactInteger(row.total_bytes),
    last_activity_at: formatIsoInstant(Number(row.video_last_ms)),
  };
}

function toTotals(row: VideoTotalsRow) {
  return {
    downloads: exactInteger(row.downloads),
    in_progress: exactInteger(row.in_progress),
    status: {
      completed: exactInteger(row.completed),
      partial: exactInteger(row.partial),
      failed: exactInteger(row.failed),
      cancelled: exactInteger(row.cancelled),
    },
    completion_rate: completionRate(row.completed, row.downloads),
    unique_videos: exactInteger(row.unique_videos),
    unique_clients: exactInteger(row.unique_clients),
    bytes_transferred: exactInteger(row.total_bytes),
  };
}

/** Builds the video downloads response: one row per download with its lifecycle folded. */
@Injectable()
export class VideosService {
  constructor(
    private readonly repository: VideosRepository,
    private readonly watermarks: WatermarkRepository,
  ) {}

  async videoDownloads(context: ReadContext) {
    const [{ videos, totals }, listed, watermark] = await Promise.all([
      this.repository.perVideoWithTotals(context, MAX_VIDEO_SUMMARY),
      this.repository.list(context, context.query.limit + 1),
      this.watermarks.completeThrough(),
    ]);
    const { rows, nextAfter } = page(listed, context.query, (row) => [Number(row.last_ms), row.download_id]);
    const data = {
      collection_id: context.scope.collectionId,
      totals: toTotals(totals),
      videos: videos.map(toPerVideo),
      downloads: rows.map(toVideoDownload),
    };
    return { data, meta: buildMeta(context, 'gallery_video_downloads', nextAfter, watermark) };
  }
}
