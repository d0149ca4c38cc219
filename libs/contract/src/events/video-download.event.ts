import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EventType, VIDEO_DOWNLOAD_STATUSES, VideoDownloadStatus } from '../event-type';
import { MAX_TEXT_LENGTH } from '../identifiers';
import { ClientInfo, IsId, NestedObject, VideoFile } from '../parts';
import { BaseEvent } from './base-event';

/**
 * One step of a video download. Large files are tracked from `started` to a closing status, and
 * every step of one download carries the same `download_id`.
 */
export class VideoDownloadEvent extends BaseEvent {
  declare type: EventType.VideoDownload;

  @IsId()
  download_id: string;

  @NestedObject(ClientInfo)
  client: ClientInfo;

  @NestedObject(VideoFile)
  video: VideoFile;

  @IsIn(VIDEO_DOWNLOAD_STATUSES)
  status: VideoDownloadStatus;

  /** Bytes sent so far in this download; 0 on `started`. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  bytes_transferred: number;

  /** Time from `started` to this step. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800_000)
  duration_ms?: number;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(599)
  http_status?: number;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  failure_reason?: string;

  @IsOptional()
  @IsId()
  share_link_id?: string;
}
