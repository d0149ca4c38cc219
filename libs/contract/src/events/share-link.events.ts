import { IsOptional, IsString, MaxLength } from 'class-validator';
import { EventType } from '../event-type';
import { MAX_TEXT_LENGTH } from '../identifiers';
import { ClientInfo, IsId, NestedObject, ShareLinkSettings } from '../parts';
import { BaseEvent } from './base-event';

/** A share link for some photos of the collection was created. */
export class ShareLinkCreatedEvent extends BaseEvent {
  declare type: EventType.ShareLinkCreated;

  @NestedObject(ShareLinkSettings)
  share_link: ShareLinkSettings;

  /** The client who created the link; absent when the photographer did. */
  @IsOptional()
  @NestedObject(ClientInfo)
  created_by?: ClientInfo;
}

/** A share link's settings changed; the event carries all of them as they are after the change. */
export class ShareLinkUpdatedEvent extends BaseEvent {
  declare type: EventType.ShareLinkUpdated;

  @NestedObject(ShareLinkSettings)
  share_link: ShareLinkSettings;
}

/** A share link was revoked. It stays revoked whatever its expiry date. */
export class ShareLinkRevokedEvent extends BaseEvent {
  declare type: EventType.ShareLinkRevoked;

  @IsId()
  share_link_id: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  reason?: string;
}

/** A visitor opened a share link. */
export class ShareLinkAccessedEvent extends BaseEvent {
  declare type: EventType.ShareLinkAccessed;

  @IsId()
  share_link_id: string;

  /** The visitor; `id` is what unique-visitor counts are based on. */
  @NestedObject(ClientInfo)
  visitor: ClientInfo;

  /** The photo viewed, when the visitor opened one. */
  @IsOptional()
  @IsId()
  media_id?: string;
}
