import { Injectable } from '@nestjs/common';
import { formatIsoInstant } from '@gallery/contract';
import { exactInteger } from '@gallery/http';
import { ClientActivityRow, DownloadRow, DownloadsRepository, PerMediaRow, Scope, TimelineRow, TotalsRow } from './downloads.repository';

const DAY_MS = 86_400_000;
/** Most days a gap-filled timeline returns; older activity still counts in the totals. */
const MAX_TIMELINE_DAYS = 3660;

type Exact = number | bigint;

function instant(ms: string): string {
  return formatIsoInstant(Number(ms));
}

function nullableInteger(value: string | null): Exact | null {
  return value === null ? null : exactInteger(value);
}

function toDownload(row: DownloadRow) {
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

/** Fills days without downloads with zeros, so a chart's x axis has no holes. */
function fillDays(rows: TimelineRow[]) {
  if (rows.length === 0) return [];
  const byDay = new Map(rows.map((row) => [row.bucket, row]));
  const first = Date.parse(`${rows[0].bucket}T00:00:00Z`);
  const last = Date.parse(`${rows[rows.length - 1].bucket}T00:00:00Z`);
  const start = Math.max(first, last - (MAX_TIMELINE_DAYS - 1) * DAY_MS);

  const buckets = [];
  for (let day = start; day <= last; day += DAY_MS) {
    const key = formatIsoInstant(day).slice(0, 10);
    const row = byDay.get(key);
    buckets.push({
      bucket_start: formatIsoInstant(day),
      downloads: row ? exactInteger(row.downloads) : 0,
      photo_downloads: row ? exactInteger(row.photo_downloads) : 0,
      video_downloads: row ? exactInteger(row.video_downloads) : 0,
      failed_downloads: row ? exactInteger(row.failed) : 0,
      bytes_transferred: row ? exactInteger(row.total_bytes) : 0,
      unique_clients: row ? exactInteger(row.unique_clients) : 0,
    });
  }
  return buckets;
}

function bandwidth(totals: TotalsRow) {
  const downloads = Number(totals.downloads);
  const bytes = exactInteger(totals.total_bytes);
  const timedDuration = Number(totals.timed_duration_ms);
  const [p50, p90, p99] = totals.duration_quantiles_ms.map(Number);
  const timed = Number(totals.timed_downloads) > 0;
  return {
    bytes_transferred: bytes,
    average_bytes_per_download: downloads > 0 ? Math.round(Number(totals.total_bytes) / downloads) : null,
    // Throughput counts only downloads that reported a duration.
    average_throughput_bytes_per_second: timed && timedDuration > 0 ? Math.round((Number(totals.timed_bytes) * 1000) / timedDuration) : null,
    timed_downloads: exactInteger(totals.timed_downloads),
    duration_ms: timed ? { p50, p90, p99 } : null,
  };
}

/** Builds the download endpoints' responses from ClickHouse aggregations. */
@Injectable()
export class DownloadsService {
  constructor(private readonly repository: DownloadsRepository) {}

  async photoDownloads(scope: Scope, limit: number) {
    const [totals, photos, downloads] = await Promise.all([
      this.repository.totals(scope, true),
      this.repository.perMedia(scope, true, limit),
      this.repository.recent(scope, true, limit),
    ]);
    const empty = Number(totals.downloads) === 0;
    return {
      collection_id: scope.collectionId,
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
      downloads: downloads.map(toDownload),
    };
  }

  async allDownloads(scope: Scope, limit: number) {
    const [totals, media, downloads, clients, timeline] = await Promise.all([
      this.repository.totals(scope, false),
      this.repository.perMedia(scope, false, limit),
      this.repository.recent(scope, false, limit),
      this.repository.clients(scope, limit),
      this.repository.dailyTimeline(scope),
    ]);
    const empty = Number(totals.downloads) === 0;
    return {
      collection_id: scope.collectionId,
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
      timeline: { interval: 'day', time_zone: 'UTC', buckets: fillDays(timeline) },
      clients: clients.map(toClientActivity),
      media: media.map(toPerMedia),
      downloads: downloads.map(toDownload),
    };
  }
}
