import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  IsObject,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MEDIA_KINDS, MediaKind, SHARE_LINK_PERMISSIONS, ShareLinkPermission } from './event-type';
import {
  FORMAT_PATTERN,
  ID_PATTERN,
  MAX_NAME_LENGTH,
  MAX_SHARE_LINK_MEDIA,
  MAX_TEXT_LENGTH,
  MAX_URL_LENGTH,
} from './identifiers';
import { IsIsoInstant } from './iso-instant';

const FORMAT_MESSAGE = '$property must be a lower-case file format such as jpeg, png or mp4';

/** Validates an id: 1 to 256 printable ASCII characters without spaces. */
export function IsId(): PropertyDecorator {
  return Matches(ID_PATTERN, { message: '$property must be 1 to 256 printable ASCII characters without spaces' });
}

/** Nested object classes by owning class and property, for the compiled validator. */
export const NESTED_CLASSES = new Map<Function, Map<string, new () => object>>();

/** Validates a nested JSON object (not an array) against `cls`, unknown fields included. */
export function NestedObject(cls: new () => object): PropertyDecorator {
  const record: PropertyDecorator = (target, propertyKey) => {
    const byProperty = NESTED_CLASSES.get(target.constructor) ?? new Map<string, new () => object>();
    byProperty.set(String(propertyKey), cls);
    NESTED_CLASSES.set(target.constructor, byProperty);
  };
  return applyDecorators(IsObject(), ValidateNested(), Type(() => cls), record);
}

function applyDecorators(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => {
    for (const decorator of decorators) decorator(target, propertyKey);
  };
}

/** The person acting in a collection: a client of the photographer or a visitor of a share link. */
export class ClientInfo {
  @IsId()
  id: string;

  @IsOptional()
  @IsEmail({}, { message: '$property must be an email address' })
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string;

  @IsOptional()
  @IsIP(undefined, { message: '$property must be an IPv4 or IPv6 address' })
  ip_address?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  user_agent?: string;
}

/** A photo file as delivered: its id in the collection and what the file is. */
export class PhotoFile {
  @IsId()
  id: string;

  @IsOptional()
  @IsId()
  gallery_id?: string;

  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  file_name: string;

  @Matches(FORMAT_PATTERN, { message: FORMAT_MESSAGE })
  format: string;

  /** Size of the whole file in bytes; absent when the producer does not know it. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  size_bytes?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  width?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  height?: number;
}

/** A video file as delivered, with the metadata a photographer's dashboard shows. */
export class VideoFile extends PhotoFile {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  duration_ms?: number;

  @IsOptional()
  @Matches(FORMAT_PATTERN, { message: FORMAT_MESSAGE })
  codec?: string;
}

/** A reference to a photo or video of the collection. */
export class MediaRef {
  @IsId()
  id: string;

  @IsIn(MEDIA_KINDS)
  kind: MediaKind;

  @IsOptional()
  @IsId()
  gallery_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  file_name?: string;
}

/** A photo the photographer stars. */
export class PhotoRef {
  @IsId()
  id: string;

  @IsOptional()
  @IsId()
  gallery_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  file_name?: string;
}

/**
 * The complete settings of a share link. `share_link.created` and `share_link.updated` both carry
 * all of them, so the latest of those events alone describes the link.
 */
export class ShareLinkSettings {
  @IsId()
  id: string;

  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: '$property must be an absolute http or https URL' },
  )
  @MaxLength(MAX_URL_LENGTH)
  url: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SHARE_LINK_MEDIA)
  @ArrayUnique()
  @Matches(ID_PATTERN, { each: true, message: 'each value in $property must be 1 to 256 printable ASCII characters' })
  media_ids: string[];

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SHARE_LINK_PERMISSIONS, { each: true })
  permissions: ShareLinkPermission[];

  /** Absent when the link never expires. */
  @IsOptional()
  @IsIsoInstant()
  expires_at?: string;

  @IsOptional()
  @IsBoolean()
  password_protected?: boolean;
}
