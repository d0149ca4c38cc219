import { EventType } from '../event-type';
import { ClientInfo, MediaRef, NestedObject } from '../parts';
import { BaseEvent } from './base-event';

/** A client marked a photo or video as a favorite. */
export class FavoriteAddedEvent extends BaseEvent {
  declare type: EventType.FavoriteAdded;

  @NestedObject(ClientInfo)
  client: ClientInfo;

  @NestedObject(MediaRef)
  media: MediaRef;
}

/** A client took a photo or video off their favorites. */
export class FavoriteRemovedEvent extends BaseEvent {
  declare type: EventType.FavoriteRemoved;

  @NestedObject(ClientInfo)
  client: ClientInfo;

  @NestedObject(MediaRef)
  media: MediaRef;
}
