import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiQuery, ApiResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { COLLECTION_ID_PATTERN, ID_PATTERN } from '@gallery/contract';
import { DEFAULT_LIST_LIMIT, EndpointParams, MAX_LIST_LIMIT, MAX_TIMELINE_BUCKETS } from './query-params';
import { INTERVALS } from './time-zones';

// Forms the parser accepts. The patterns leave out days 29 to 31, which exist only in some months,
// and cannot express that `to` must follow `from`. The parser checks both.
const DATE = '(19[7-9]\\d|2\\d{3})-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])';
const TIME = '([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,3})?(Z|[+-](0\\d|1[0-3]):[0-5]\\d)';
const INSTANT_OR_DATE = `^${DATE}(T${TIME})?$`;
const TIME_ZONE = '^[A-Za-z][A-Za-z0-9_+\\-/]{0,63}$';

/** Documents the query parameters an endpoint accepts, from the same table the parser uses. */
export function ApiListQuery(params: EndpointParams): MethodDecorator {
  const decorators = [
    ApiQuery({
      name: 'from',
      required: false,
      schema: { type: 'string', pattern: INSTANT_OR_DATE },
      description: 'Start, inclusive: an ISO-8601 instant with Z or an offset, or a date meaning the start of that day in `tz`',
    }),
    ApiQuery({
      name: 'to',
      required: false,
      schema: { type: 'string', pattern: INSTANT_OR_DATE },
      description: 'End: an ISO-8601 instant (exclusive), or a date meaning the end of that day in `tz` (inclusive); later than `from`',
    }),
    ApiQuery({ name: 'tz', required: false, schema: { type: 'string', pattern: TIME_ZONE, default: 'UTC' }, description: 'IANA time zone for dates and timeline buckets' }),
    ApiQuery({ name: 'interval', required: false, enum: [...INTERVALS], description: `Timeline bucket size; default day; at most ${MAX_TIMELINE_BUCKETS} buckets` }),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT },
      description: 'Rows per page (CSV: all rows unless given)',
    }),
    ApiQuery({ name: 'cursor', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,2048}$' }, description: 'Opaque `meta.next_cursor` of the previous page' }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'], description: 'csv streams the main list as CSV; so does Accept: text/csv' }),
  ];
  for (const filter of params.filters) {
    decorators.push(
      ApiQuery({
        name: filter,
        required: false,
        schema: { type: 'string', pattern: ID_PATTERN.source },
        description: `Only rows of this ${filter === 'client_id' ? 'client' : 'media item'}`,
      }),
    );
  }
  if (params.statuses.length > 0) decorators.push(ApiQuery({ name: 'status', required: false, enum: [...params.statuses] }));
  return applyDecorators(...decorators);
}

export const COLLECTION_ID_SCHEMA: SchemaObject = { type: 'string', pattern: COLLECTION_ID_PATTERN.source };

const errorBody: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message', 'request_id'],
      properties: {
        status: { type: 'integer' },
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' }, value: {} } },
        },
        request_id: { type: 'string' },
      },
    },
  },
};

/** Documents the error responses every read endpoint can return. */
export function ApiErrorResponses(): MethodDecorator {
  return applyDecorators(
    ApiBadRequestResponse({ description: 'A parameter is invalid; `details` names it and its value', schema: errorBody }),
    ApiUnauthorizedResponse({ description: 'The API key is missing or unknown', schema: errorBody }),
    ApiForbiddenResponse({ description: 'The API key lacks the read scope', schema: errorBody }),
    ApiTooManyRequestsResponse({ description: 'The key exceeded its rate limit; see Retry-After', schema: errorBody }),
    ApiResponse({ status: 503, description: 'ClickHouse is unavailable', schema: errorBody }),
  );
}

const integer: SchemaObject = { type: 'integer', description: 'Exact, also above 2^53' };
const instant: SchemaObject = { type: 'string', format: 'date-time' };
const nullableInstant: SchemaObject = { type: 'string', format: 'date-time', nullable: true };
const text: SchemaObject = { type: 'string' };
const nullableText: SchemaObject = { type: 'string', nullable: true };
const nullableInteger: SchemaObject = { type: 'integer', nullable: true };

function object(properties: Record<string, SchemaObject>): SchemaObject {
  return { type: 'object', properties, required: Object.keys(properties) };
}

function list(items: SchemaObject): SchemaObject {
  return { type: 'array', items };
}

const client = object({ id: text, email: nullableText, name: nullableText });

const download = object({
  event_id: text,
  downloaded_at: instant,
  media_kind: { type: 'string', enum: ['photo', 'video'] },
  client,
  media: object({ id: text, gallery_id: nullableText, file_name: text, file_format: text, size_bytes: nullableInteger }),
  status: text,
  bytes_transferred: integer,
  duration_ms: nullableInteger,
  http_status: nullableInteger,
  share_link_id: nullableText,
  download_id: nullableText,
});

const perMedia = object({
  media_id: text,
  media_kind: text,
  file_name: text,
  file_format: text,
  size_bytes: nullableInteger,
  downloads: integer,
  completed_downloads: integer,
  unique_clients: integer,
  bytes_transferred: integer,
  first_downloaded_at: instant,
  last_downloaded_at: instant,
});

const meta = object({
  limit: { type: 'integer' },
  next_cursor: nullableText,
  complete_through: { ...nullableInstant, description: 'Every event accepted up to this instant is included' },
  snapshot_at: instant,
  time_zone: text,
  interval: text,
  from: nullableInstant,
  to: nullableInstant,
});

const DATA_SCHEMAS: Record<string, SchemaObject> = {
  photo_downloads: object({
    collection_id: text,
    totals: object({
      downloads: integer,
      completed: integer,
      partial: integer,
      failed: integer,
      unique_photos: integer,
      unique_clients: integer,
      bytes_transferred: integer,
      first_download_at: nullableInstant,
      last_download_at: nullableInstant,
    }),
    photos: { ...list(perMedia), description: 'Downloads per photo, most downloaded first' },
    downloads: { ...list(download), description: 'Each download, newest first; paged' },
  }),
  gallery_video_downloads: object({
    collection_id: text,
    totals: object({
      downloads: { ...integer, description: 'Downloads with a closing status' },
      in_progress: integer,
      status: object({ completed: integer, partial: integer, failed: integer, cancelled: integer }),
      completion_rate: { type: 'number', nullable: true },
      unique_videos: integer,
      unique_clients: integer,
      bytes_transferred: integer,
    }),
    videos: list(
      object({
        video_id: text,
        file_name: text,
        format: text,
        codec: nullableText,
        size_bytes: nullableInteger,
        duration_ms: nullableInteger,
        downloads: integer,
        in_progress: integer,
        completed: integer,
        partial: integer,
        failed: integer,
        cancelled: integer,
        completion_rate: { type: 'number', nullable: true },
        unique_clients: integer,
        bytes_transferred: integer,
        last_activity_at: instant,
      }),
    ),
    downloads: list(
      object({
        download_id: text,
        video: object({ id: text, file_name: text, format: text, codec: nullableText, size_bytes: nullableInteger, duration_ms: nullableInteger, width: nullableInteger, height: nullableInteger }),
        client,
        started_at: nullableInstant,
        finished_at: nullableInstant,
        status: text,
        bytes_transferred: integer,
        duration_ms: nullableInteger,
        failure_reason: nullableText,
      }),
    ),
  }),
  downloads: object({
    collection_id: text,
    totals: object({
      downloads: integer,
      photo_downloads: integer,
      video_downloads: integer,
      unique_media: integer,
      unique_clients: integer,
      first_download_at: nullableInstant,
      last_download_at: nullableInstant,
    }),
    status: object({ completed: integer, partial: integer, failed: integer, cancelled: integer, success_rate: { type: 'number', nullable: true } }),
    bandwidth: object({
      bytes_transferred: integer,
      average_bytes_per_download: nullableInteger,
      average_throughput_bytes_per_second: nullableInteger,
      timed_downloads: integer,
      duration_ms: { ...object({ p50: { type: 'number' }, p90: { type: 'number' }, p99: { type: 'number' } }), nullable: true },
    }),
    timeline: object({
      interval: text,
      time_zone: text,
      buckets: list(
        object({
          bucket_start: instant,
          downloads: integer,
          photo_downloads: integer,
          video_downloads: integer,
          failed_downloads: integer,
          bytes_transferred: integer,
          unique_clients: integer,
        }),
      ),
    }),
    clients: list(
      object({
        client,
        downloads: integer,
        photo_downloads: integer,
        video_downloads: integer,
        failed_downloads: integer,
        bytes_transferred: integer,
        first_activity_at: instant,
        last_activity_at: instant,
      }),
    ),
    media: list(perMedia),
    downloads: list(download),
  }),
  photo_sharing_links: object({
    collection_id: text,
    totals: object({ links: integer, active: integer, expired: integer, revoked: integer, views: integer, unique_visitors: integer, downloads: integer, bytes_transferred: integer }),
    links: list(
      object({
        share_link_id: text,
        url: nullableText,
        media_ids: list(text),
        permissions: list({ type: 'string', enum: ['view', 'download'] }),
        password_protected: { type: 'boolean', nullable: true },
        created_at: nullableInstant,
        created_by: { ...object({ id: text }), nullable: true },
        expires_at: nullableInstant,
        revoked_at: nullableInstant,
        revoke_reason: nullableText,
        status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
        usage: object({ views: integer, unique_visitors: integer, downloads: integer, bytes_transferred: integer, last_accessed_at: nullableInstant }),
      }),
    ),
  }),
  favorites: object({
    collection_id: text,
    totals: object({ favorites: integer, favorited_media: integer, clients: integer, added: integer, removed: integer }),
    media: list(object({ media_id: text, media_kind: text, file_name: nullableText, favorites: integer, client_ids: list(text), last_favorited_at: instant })),
    favorites: list(object({ media: object({ id: text, kind: text, file_name: nullableText }), client, favorited_at: instant })),
  }),
  starred: object({
    totals: object({ starred_photos: integer, collections: integer, downloads: integer, favorites: integer, share_views: integer, truncated: { type: 'boolean' } }),
    collections: list(object({ collection_id: text, starred_photos: integer, engagement_score: integer })),
    photos: list(
      object({
        collection_id: text,
        photo_id: text,
        gallery_id: nullableText,
        file_name: nullableText,
        starred_at: instant,
        engagement: object({ score: integer, downloads: integer, unique_downloaders: integer, favorites: integer, share_views: integer }),
      }),
    ),
  }),
};

/** Schema of an endpoint's JSON response: `{ data, meta }`. */
export function responseSchema(endpoint: keyof typeof DATA_SCHEMAS | string): SchemaObject {
  return object({ data: DATA_SCHEMAS[endpoint], meta });
}
