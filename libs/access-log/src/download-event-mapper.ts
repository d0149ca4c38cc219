import { createHmac } from 'node:crypto';
import {
  COLLECTION_ID_PATTERN,
  EventType,
  FORMAT_PATTERN,
  ID_PATTERN,
  PhotoDownloadedEvent,
  PhotoDownloadStatus,
  VideoDownloadEvent,
  formatIsoInstant,
} from '@gallery/contract';
import { AccessLogRecord } from './combined-log-parser';

export const DEFAULT_PHOTO_EXTENSIONS: readonly string[] = [
  'jpg', 'jpeg', 'png', 'gif', 'webp', 'tif', 'tiff', 'bmp', 'heic', 'heif', 'avif', 'dng', 'cr2', 'nef', 'arw',
];
export const DEFAULT_VIDEO_EXTENSIONS: readonly string[] = [
  'mp4', 'mov', 'm4v', 'webm', 'avi', 'mkv', 'mpg', 'mpeg', 'wmv', 'ogv',
];
export const DEFAULT_COLLECTION_DEPTH = 2;

/**
 * HMAC key of client ids when none is configured. It is public, so anyone holding a log can
 * recompute the ids of its clients: set a secret salt for logs of real people.
 */
export const DEFAULT_CLIENT_SALT = 'gallery-access-log-import';

/** The collection of files that sit directly under `/`. */
export const ROOT_COLLECTION_ID = 'root';

/** File extensions that name the same format as another, mapped to the contract's format name. */
const FORMAT_ALIASES: Readonly<Record<string, string>> = { jpg: 'jpeg', tif: 'tiff' };

const MAX_COLLECTION_ID_LENGTH = 128;
const MAX_MEDIA_ID_LENGTH = 256;
const CLIENT_ID_HEX_DIGITS = 20;

export interface DownloadEventMapperOptions {
  /** Extensions (without the dot, any case) of files that count as photos. */
  photoExtensions?: readonly string[];
  /** Extensions (without the dot, any case) of files that count as videos. */
  videoExtensions?: readonly string[];
  /** How many leading directories of the path form the collection id; 0 puts every file in `root`. */
  collectionDepth?: number;
  /** HMAC-SHA256 key that turns address and user agent into a pseudonymous client id. */
  clientSalt?: string;
}

/**
 * Why a log line produced no event, in the order the mapper checks them:
 * - `not_get`: HEAD, POST and other methods send no file body.
 * - `not_media_file`: the file extension is in neither the photo nor the video list.
 * - `no_file_sent`: the status (1xx, 3xx, or a 2xx other than 200 and 206) means no file was transferred.
 * - `media_id_too_long`: the path, percent-encoded to printable ASCII, exceeds the contract's 256 characters.
 */
export type SkipReason = 'not_get' | 'not_media_file' | 'no_file_sent' | 'media_id_too_long';

export const SKIP_REASONS: readonly SkipReason[] = ['not_get', 'not_media_file', 'no_file_sent', 'media_id_too_long'];

export type DownloadEvent = PhotoDownloadedEvent | VideoDownloadEvent;

export type MapResult =
  | { ok: true; kind: 'photo'; event: PhotoDownloadedEvent }
  | { ok: true; kind: 'video'; event: VideoDownloadEvent }
  | { ok: false; reason: SkipReason };

/** Turns parsed access log records into `photo.downloaded` and `video.download` events. */
export class DownloadEventMapper {
  private readonly photoExtensions: ReadonlySet<string>;
  private readonly videoExtensions: ReadonlySet<string>;
  private readonly collectionDepth: number;
  private readonly clientSalt: string;

  /** Throws when an option is invalid, naming the option and the value. */
  constructor(options: DownloadEventMapperOptions = {}) {
    this.photoExtensions = normalizeExtensions('photoExtensions', options.photoExtensions ?? DEFAULT_PHOTO_EXTENSIONS);
    this.videoExtensions = normalizeExtensions('videoExtensions', options.videoExtensions ?? DEFAULT_VIDEO_EXTENSIONS);
    for (const extension of this.photoExtensions) {
      if (this.videoExtensions.has(extension)) {
        throw new Error(`invalid extension lists: "${extension}" is in both the photo and the video list; remove it from one`);
      }
    }

    const depth = options.collectionDepth ?? DEFAULT_COLLECTION_DEPTH;
    if (!Number.isInteger(depth) || depth < 0) {
      throw new Error(`invalid collectionDepth ${depth}: expected an integer of 0 or more`);
    }
    this.collectionDepth = depth;

    this.clientSalt = options.clientSalt ?? DEFAULT_CLIENT_SALT;
    if (this.clientSalt === '') {
      throw new Error('invalid clientSalt: it is empty; pass a secret string or omit it to use the default');
    }
  }

  /**
   * Maps one record to an event, or returns why it counts as no download.
   *
   * @param createEventId returns the event's UUID; called only when the record becomes an event,
   *   because callers derive ids from per-file state (see accessLogEventId)
   */
  map(record: AccessLogRecord, createEventId: () => string): MapResult {
    if (record.method !== 'GET') return { ok: false, reason: 'not_get' };

    const segments = record.path.split('/').filter((segment) => segment !== '');
    const fileName = decodePathPart(segments[segments.length - 1] ?? '');
    const extension = extensionOf(fileName);
    const isPhoto = extension !== null && this.photoExtensions.has(extension);
    const isVideo = extension !== null && this.videoExtensions.has(extension);
    if (!isPhoto && !isVideo) return { ok: false, reason: 'not_media_file' };

    const status = downloadStatusOf(record.status);
    if (status === null) return { ok: false, reason: 'no_file_sent' };

    const mediaId = mediaIdOf(record.path);
    if (mediaId === null) return { ok: false, reason: 'media_id_too_long' };

    const eventId = createEventId();
    const file = {
      id: mediaId,
      file_name: fileName,
      format: FORMAT_ALIASES[extension] ?? extension,
      // Only a 200 response carries the whole file, so only then is the byte count its size.
      ...(record.status === 200 ? { size_bytes: record.bytes } : {}),
    };
    const common = {
      event_id: eventId,
      schema_version: 1,
      occurred_at: formatIsoInstant(record.time),
      collection_id: collectionIdOf(record.path, this.collectionDepth),
      client: { id: this.clientIdOf(record) },
    };

    if (isPhoto) {
      const event: PhotoDownloadedEvent = {
        ...common,
        type: EventType.PhotoDownloaded,
        photo: file,
        status,
        bytes_transferred: record.bytes,
        http_status: record.status,
      };
      return { ok: true, kind: 'photo', event };
    }

    // A log line is one whole request, so the download is opened and closed by this one event.
    const event: VideoDownloadEvent = {
      ...common,
      type: EventType.VideoDownload,
      download_id: eventId,
      video: file,
      status,
      bytes_transferred: record.bytes,
      http_status: record.status,
    };
    return { ok: true, kind: 'video', event };
  }

  /**
   * Computes the pseudonymous client id: `c_` and the first 20 hex digits of
   * HMAC-SHA256(salt, address + "\n" + user agent). Neither input leaves this function.
   */
  clientIdOf(record: Pick<AccessLogRecord, 'remoteAddress' | 'userAgent'>): string {
    const digest = createHmac('sha256', this.clientSalt).update(`${record.remoteAddress}\n${record.userAgent}`, 'utf8').digest('hex');
    return `c_${digest.slice(0, CLIENT_ID_HEX_DIGITS)}`;
  }
}

/** Returns the download status for an HTTP status, or null when no file was transferred. */
export function downloadStatusOf(httpStatus: number): PhotoDownloadStatus | null {
  if (httpStatus === 200) return 'completed';
  if (httpStatus === 206) return 'partial';
  if (httpStatus >= 400 && httpStatus <= 599) return 'failed';
  return null;
}

/**
 * Derives the collection id from the first `depth` directories of a path: each directory is
 * URL-decoded, they are joined with `:`, and characters that collection ids do not allow become `-`.
 * A file directly under `/` (or any file when depth is 0) belongs to the `root` collection.
 */
export function collectionIdOf(path: string, depth: number): string {
  const directories = path.split('/').filter((segment) => segment !== '').slice(0, -1);
  const joined = directories.slice(0, depth).map(decodePathPart).join(':');

  const sanitized = joined
    .replace(/[^A-Za-z0-9._:~-]/gu, '-')
    // Collection ids must start with a letter or digit, so `.well-known` becomes `well-known`.
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_COLLECTION_ID_LENGTH);

  if (sanitized === '') return ROOT_COLLECTION_ID;
  if (!COLLECTION_ID_PATTERN.test(sanitized)) {
    throw new Error(`collection id "${sanitized}" derived from path "${path}" does not match the contract; this is a bug in collectionIdOf`);
  }
  return sanitized;
}

/**
 * Returns the media id of a path: the URL-decoded path with every character outside printable
 * ASCII (space included) percent-encoded as UTF-8, or null when that exceeds 256 characters.
 */
export function mediaIdOf(path: string): string | null {
  const decoded = decodePathPart(path);
  let id = '';
  for (const character of decoded) {
    id += /^[\x21-\x7E]$/.test(character) ? character : percentEncode(character);
  }
  if (id.length === 0 || id.length > MAX_MEDIA_ID_LENGTH) return null;
  if (!ID_PATTERN.test(id)) {
    throw new Error(`media id "${id}" derived from path "${path}" does not match the contract; this is a bug in mediaIdOf`);
  }
  return id;
}

/** Returns the lower-cased text after the last dot of a file name, or null when there is none. */
export function extensionOf(fileName: string): string | null {
  const match = /\.([^.]+)$/.exec(fileName);
  return match ? match[1].toLowerCase() : null;
}

/** URL-decodes a path or segment, or returns it unchanged when it contains an invalid escape like `%zz`. */
function decodePathPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Percent-encodes the UTF-8 bytes of a character; a lone surrogate becomes U+FFFD (%EF%BF%BD). */
function percentEncode(character: string): string {
  let encoded = '';
  for (const byte of Buffer.from(character, 'utf8')) {
    encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

function normalizeExtensions(option: string, extensions: readonly string[]): ReadonlySet<string> {
  const normalized = new Set<string>();
  for (const raw of extensions) {
    const extension = raw.replace(/^\./, '').toLowerCase();
    const format = FORMAT_ALIASES[extension] ?? extension;
    if (!FORMAT_PATTERN.test(format)) {
      throw new Error(
        `invalid ${option} entry "${raw}": an extension must be 1 to 16 letters, digits or . + -, starting with a letter or digit`,
      );
    }
    normalized.add(extension);
  }
  return normalized;
}
