/** Every activity event type the platform records. The string is the `type` field on the wire. */
export enum EventType {
  PhotoDownloaded = 'photo.downloaded',
  VideoDownload = 'video.download',
  ShareLinkCreated = 'share_link.created',
  ShareLinkUpdated = 'share_link.updated',
  ShareLinkRevoked = 'share_link.revoked',
  ShareLinkAccessed = 'share_link.accessed',
  FavoriteAdded = 'favorite.added',
  FavoriteRemoved = 'favorite.removed',
  PhotoStarred = 'photo.starred',
  PhotoUnstarred = 'photo.unstarred',
}

export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** Schema versions this build accepts. A producer sends the version it was written against. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [1];

export const PHOTO_DOWNLOAD_STATUSES = ['completed', 'partial', 'failed'] as const;
export type PhotoDownloadStatus = (typeof PHOTO_DOWNLOAD_STATUSES)[number];

/**
 * Lifecycle of one video download. `started` opens it; `completed`, `partial`, `failed` and
 * `cancelled` close it. Events of one download share a `download_id`.
 */
export const VIDEO_DOWNLOAD_STATUSES = ['started', 'completed', 'partial', 'failed', 'cancelled'] as const;
export type VideoDownloadStatus = (typeof VIDEO_DOWNLOAD_STATUSES)[number];

export const SHARE_LINK_PERMISSIONS = ['view', 'download'] as const;
export type ShareLinkPermission = (typeof SHARE_LINK_PERMISSIONS)[number];

export const MEDIA_KINDS = ['photo', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
