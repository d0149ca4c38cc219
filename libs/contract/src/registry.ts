import { EventType } from './event-type';
import { BaseEvent } from './events/base-event';
import { FavoriteAddedEvent, FavoriteRemovedEvent } from './events/favorite.events';
import { PhotoDownloadedEvent } from './events/photo-downloaded.event';
import {
  ShareLinkAccessedEvent,
  ShareLinkCreatedEvent,
  ShareLinkRevokedEvent,
  ShareLinkUpdatedEvent,
} from './events/share-link.events';
import { PhotoStarredEvent, PhotoUnstarredEvent } from './events/star.events';
import { VideoDownloadEvent } from './events/video-download.event';

export type ActivityEvent =
  | PhotoDownloadedEvent
  | VideoDownloadEvent
  | ShareLinkCreatedEvent
  | ShareLinkUpdatedEvent
  | ShareLinkRevokedEvent
  | ShareLinkAccessedEvent
  | FavoriteAddedEvent
  | FavoriteRemovedEvent
  | PhotoStarredEvent
  | PhotoUnstarredEvent;

type EventClass = new () => BaseEvent;

/** The validation class of each event type. Adding a type means adding a class and a row here. */
export const EVENT_CLASSES: Readonly<Record<EventType, EventClass>> = {
  [EventType.PhotoDownloaded]: PhotoDownloadedEvent,
  [EventType.VideoDownload]: VideoDownloadEvent,
  [EventType.ShareLinkCreated]: ShareLinkCreatedEvent,
  [EventType.ShareLinkUpdated]: ShareLinkUpdatedEvent,
  [EventType.ShareLinkRevoked]: ShareLinkRevokedEvent,
  [EventType.ShareLinkAccessed]: ShareLinkAccessedEvent,
  [EventType.FavoriteAdded]: FavoriteAddedEvent,
  [EventType.FavoriteRemoved]: FavoriteRemovedEvent,
  [EventType.PhotoStarred]: PhotoStarredEvent,
  [EventType.PhotoUnstarred]: PhotoUnstarredEvent,
};
