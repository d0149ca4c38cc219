import { EventType } from '../event-type';
import { NestedObject, PhotoRef } from '../parts';
import { BaseEvent } from './base-event';

/** The photographer starred a photo. Stars belong to the account, not to a client. */
export class PhotoStarredEvent extends BaseEvent {
  declare type: EventType.PhotoStarred;

  @NestedObject(PhotoRef)
  photo: PhotoRef;
}

/** The photographer removed the star from a photo. */
export class PhotoUnstarredEvent extends BaseEvent {
  declare type: EventType.PhotoUnstarred;

  @NestedObject(PhotoRef)
  photo: PhotoRef;
}
