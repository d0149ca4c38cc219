import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { EventType, PHOTO_DOWNLOAD_STATUSES, PhotoDownloadStatus } from '../event-type';
import { ClientInfo, IsId, NestedObject, PhotoFile } from '../parts';
import { BaseEvent } from './base-event';

/** A client downloaded (or tried to download) one photo file. */
export class PhotoDownloadedEvent extends BaseEvent {
  declare type: EventType.PhotoDownloaded;

  @NestedObject(ClientInfo)
  client: ClientInfo;

  @NestedObject(PhotoFile)
  photo: PhotoFile;

  @IsIn(PHOTO_DOWNLOAD_STATUSES)
  status: PhotoDownloadStatus;

  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  bytes_transferred: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  duration_ms?: number;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(599)
  http_status?: number;

  /** Set when the download went through a share link. */
  @IsOptional()
  @IsId()
  share_link_id?: string;
}
