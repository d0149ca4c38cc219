import { Injectable } from '@nestjs/common';
import { formatIsoInstant } from '@gallery/contract';
import { exactInteger } from '@gallery/http';
import { nullableInteger } from './json-values';
import { canUseRollup, ClientActivityRow, DownloadRow, DownloadsRepository, PerMediaRow, TimelineRow, TotalsRow } from './downloads.repository';
import { buildMeta, page } from './response-meta';
import { ReadContext } from './scope';
import { bucketStarts, fillTimeline } from './timeline';
import { WatermarkRepository } from './watermark.repository';

/** Most media items listed in the per-media summaries. */
export const MAX_MEDIA_SUMMARY = 1000;


function instant(ms: string): string {
  return formatIsoInstant(Number(ms));
}


export function toDownload(row: DownloadRow) {
  return {
    event_id: row.event_id,
    downloaded_at: instant(row.occurred_at_ms),
    media_kind: row.media_kind,
    client: { id: row.client_id, email: row.client_email || null, name: row.client_name || null },
    media: {
      id: row.media_id,
      gallery_id: row.gallery_id || null,
      file_name: row.file_name,
      file_format: row.file_format,
      size_bytes: nullableInteger(row.file_size_bytes),
    },
    status: row.status,
    bytes_transferred: exactInteger(row.bytes_transferred),
    duration_ms: nullableInteger(row.duration_ms),
    http_status: row.http_status || null,
    share_link_id: row.share_link_id || null,
    download_id: row.download_id || null,
  };
}

function toPerMedia(row: PerMediaRow) {
  return {
    media_id: row.media_id,
    media_kind: row.latest_media_kind,
    file_name: row.latest_file_name,
    file_format: row.latest_file_format,
    size_bytes: nullableInteger(row.size_bytes),
    downloads: exactInteger(row.downloads),
    completed_downloads: exactInteger(row.completed),
    unique_clients: exactInteger(row.unique_clients),
    bytes_transferred: exactInteger(row.total_bytes),
    first_downloaded_at: instant(row.first_ms),
    last_downloaded_at: instant(row.last_ms),
  };
}

function toClientActivity(row: ClientActivityRow) {
  return {
    client: { id: row.client_id, email: row.latest_client_email || null, name: row.latest_client_name || null },
    downloads: exactInteger(row.downloads),
    photo_downloads: exactInteger(row.photo_downloads),
    video_downloads: exactInteger(row.video_downloads),
    failed_downloads: exactInteger(row.failed),
    bytes_transferred: exactInteger(row.total_bytes),
    first_activity_at: instant(row.first_ms),
    last_activity_at: instant(row.last_ms),
  };
}

function toBucket(row: TimelineRow | undefined) {
  return {
    downloads: row ? exactInteger(row.downloads) : 0,
    photo_downloads: row ? exactInteger(row.photo_downloads) : 0,
    video_downloads: row ? exactInteger(row.video_downloads) : 0,
    failed_downloads: row ? exactInteger(row.failed) : 0,
    bytes_transferred: row ? exactInteger(row.total_bytes) : 0,
    unique_clients: row ? exactInteger(row.unique_clients) : 0,
  };
}

function bandwidth(totals: TotalsRow) {
  const downloads = Number(totals.downloads);
  const timedDuration = Number(totals.timed_duration_ms);
  const [p50, p90, p99] = totals.duration_quantiles_ms.map(Number);
  const timed = Number(totals.timed_downloads) > 0;
  return {
    bytes_transferred: exactInteger(totals.total_bytes),
    average_bytes_per_download: downloads > 0 ? Math.round(Number(totals.total_bytes) / downloads) : null,
    // Throughput counts only downloads that reported a duration.
    average_throughput_bytes_per_second: timed && timedDuration > 0 ? Math.round((Number(totals.timed_bytes) * 1000) / timedDuration) : null,
    timed_downloads: exactInteger(totals.timed_downloads),
    duration_ms: timed ? { p50, p90, p99 } : null,
  };
}

function downloadKey(row: DownloadRow): Array<string | number> {
  return [Number(row.occurred_at_ms), row.event_id];
}

/** Builds the photo and all-downloads responses from ClickHouse aggregations. */
@Injectable()
export class DownloadsService {
  constructor(
    private readonly repository: DownloadsRepository,
    private readonly watermarks: WatermarkRepository,
  ) {}

  async photoDownloads(context: ReadContext) {
    const [{ media: photos, totals }, listed, watermark] = await Promise.all([
      this.repository.perMediaWithTotals(context, true, MAX_MEDIA_SUMMARY),
      this.repository.list(context, true, context.query.limit + 1),
      this.watermarks.completeThrough(),
    ]);
    const { rows, nextAfter } = page(listed, context.query, downloadKey);
    const empty = Number(totals.downloads) === 0;
    const data = {
      collection_id: context.scope.collectionId,
      totals: {
        downloads: exactInteger(totals.downloads),
        completed: exactInteger(totals.completed),
        partial: exactInteger(totals.partial),
        failed: exactInteger(totals.failed),
        unique_photos: exactInteger(totals.unique_media),
        unique_clients: exactInteger(totals.unique_clients),
        bytes_transferred: exactInteger(totals.total_bytes),
        first_download_at: empty ? null : instant(totals.first_ms),
        last_download_at: empty ? null : instant(totals.last_ms),
      },
      photos: photos.map(toPerMedia),
      downloads: rows.map(toDownload),
    };
    return { data, meta: buildMeta(context, 'photo_downloads', nextAfter, watermark) };
  }

  async allDownloads(context: ReadContext) {
    const [{ media, totals }, listed, clients, watermark, timelineRows] = await Promise.all([
      this.repository.perMediaWithTotals(context, false, MAX_MEDIA_SUMMARY),
      this.repository.list(context, false, context.query.limit + 1),
      this.repository.clients(context, MAX_MEDIA_SUMMARY),
      this.watermarks.completeThrough(),
      canUseRollup(context) ? this.repository.timelineFromRollup(context) : this.repository.timelineFromEvents(context),
    ]);
    const { rows, nextAfter } = page(listed, context.query, downloadKey);
    const empty = Number(totals.downloads) === 0;
    const starts = bucketStarts(context.query, empty ? null : Number(totals.first_ms), empty ? null : Number(totals.last_ms));

    const data = {
      collection_id: context.scope.collectionId,
      totals: {
        downloads: exactInteger(totals.downloads),
        photo_downloads: exactInteger(totals.photo_downloads),
        video_downloads: exactInteger(totals.video_downloads),
        unique_media: exactInteger(totals.unique_media),
        unique_clients: exactInteger(totals.unique_clients),
        first_download_at: empty ? null : instant(totals.first_ms),
        last_download_at: empty ? null : instant(totals.last_ms),
      },
      status: {
        completed: exactInteger(totals.completed),
        partial: exactInteger(totals.partial),
        failed: exactInteger(totals.failed),
        cancelled: exactInteger(totals.cancelled),
        success_rate: empty ? null : Number(totals.completed) / Number(totals.downloads),
      },
      bandwidth: bandwidth(totals),
      timeline: {
        interval: context.query.interval,
        time_zone: context.query.timeZone,
        buckets: fillTimeline(starts, timelineRows, toBucket),
      },
      clients: clients.map(toClientActivity),
      media: media.map(toPerMedia),
      downloads: rows.map(toDownload),
    };
    return { data, meta: buildMeta(context, 'downloads', nextAfter, watermark) };
  }
}
