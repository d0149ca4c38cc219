import { COLLECTION_ID_PATTERN, FieldError, ID_PATTERN, parseIsoInstant } from '@gallery/contract';
import { ApiError } from '@gallery/http';
import { bucketStart, fromLocal, Interval, INTERVALS, isKnownTimeZone, nextBucketStart } from './time-zones';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
/** Most buckets one timeline may have; a finer interval over a longer range is rejected. */
export const MAX_TIMELINE_BUCKETS = 5000;

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** Parameters every list endpoint understands, parsed and validated. */
export interface ListQuery {
  /** Inclusive start, Unix milliseconds. */
  fromMs?: number;
  /** Exclusive end, Unix milliseconds. */
  toMs?: number;
  timeZone: string;
  interval: Interval;
  clientId?: string;
  mediaId?: string;
  status?: string;
  limit: number;
  cursor?: Cursor;
  csv: boolean;
}

/** Position after the last row of a page, and the snapshot the first page was read at. */
export interface Cursor {
  /** Sort key of the last row returned. */
  after: Array<string | number>;
  /** Only rows received up to this time (Unix ms) are listed, so later pages see the same rows. */
  snapshotMs: number;
  /** Endpoint the cursor belongs to; a cursor of another endpoint is rejected. */
  endpoint: string;
}

export interface EndpointParams {
  endpoint: string;
  /** Statuses the `status` filter accepts; empty when the endpoint has no status filter. */
  statuses: readonly string[];
  filters: ReadonlyArray<'client_id' | 'media_id'>;
}

function invalid(field: string, message: string, value: unknown): ApiError {
  const detail: FieldError = { field, message: `${field} ${message}` };
  if (value !== undefined) detail.value = value;
  return new ApiError(400, 'invalid_parameter', `${field} ${message}`, [detail]);
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(name, 'must be given once', value);
  return String(value);
}

export function parseCollectionId(raw: string): string {
  if (!COLLECTION_ID_PATTERN.test(raw)) {
    throw invalid('collection_id', 'must be 1 to 128 letters, digits or . _ : ~ -, starting with a letter or digit', raw);
  }
  return raw;
}

function parseTimeZone(raw: string | undefined): string {
  if (raw === undefined) return 'UTC';
  if (!TIME_ZONE_NAME.test(raw) || !isKnownTimeZone(raw)) {
    throw invalid('tz', 'must be an IANA time zone name such as UTC or Europe/Berlin', raw);
  }
  return raw;
}

/** Parses `from`/`to`: an ISO-8601 instant, or a plain date meaning that whole day in `tz`. */
function parseBound(name: 'from' | 'to', raw: string | undefined, timeZone: string): number | undefined {
  if (raw === undefined) return undefined;
  const date = PLAIN_DATE.exec(raw);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
      throw invalid(name, 'must name a real date', raw);
    }
    // A plain `to` date is inclusive: the range ends when the next day starts.
    return name === 'from' ? fromLocal(year, month, day, 0, timeZone) : fromLocal(year, month, day + 1, 0, timeZone);
  }
  const instant = parseIsoInstant(raw);
  if (instant === null) {
    throw invalid(name, 'must be an ISO-8601 instant such as 2026-03-29T00:00:00Z or a date such as 2026-03-29', raw);
  }
  return instant;
}

function parseLimit(raw: string | undefined, csv: boolean): number {
  if (raw === undefined) return csv ? Number.MAX_SAFE_INTEGER : DEFAULT_LIST_LIMIT;
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIST_LIMIT) {
    throw invalid('limit', `must be a whole number from 1 to ${MAX_LIST_LIMIT}`, raw);
  }
  return Number(raw);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.endpoint, cursor.snapshotMs, cursor.after]), 'utf8').toString('base64url');
}

function decodeCursor(raw: string | undefined, endpoint: string): Cursor | undefined {
  if (raw === undefined) return undefined;
  const rejected = invalid('cursor', 'is not a cursor returned by this endpoint; start again without it', raw.slice(0, 100));
  if (raw.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw rejected;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw rejected;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw rejected;
  const [tag, snapshotMs, after] = parsed as [unknown, unknown, unknown];
  if (tag !== endpoint || !Number.isSafeInteger(snapshotMs) || (snapshotMs as number) < 0) throw rejected;
  if (!Array.isArray(after) || after.length === 0 || after.length > 4) throw rejected;
  for (const part of after) {
    const ok = (typeof part === 'string' && part.length <= 512) || (typeof part === 'number' && Number.isSafeInteger(part));
    if (!ok) throw rejected;
  }
  return { endpoint, snapshotMs: snapshotMs as number, after: after as Array<string | number> };
}

/** Counts the timeline buckets of a range and rejects ranges with too many. */
function checkBucketCount(fromMs: number, toMs: number, interval: Interval, timeZone: string): void {
  let count = 0;
  for (let start = bucketStart(fromMs, interval, timeZone); start < toMs; start = nextBucketStart(start, interval, timeZone)) {
    if (++count > MAX_TIMELINE_BUCKETS) {
      throw invalid('interval', `gives more than ${MAX_TIMELINE_BUCKETS} buckets over this range; use a coarser interval or a shorter range`, interval);
    }
  }
}

const COMMON_PARAMS = ['from', 'to', 'tz', 'interval', 'limit', 'cursor', 'format'];

/** Validates the query string of a list endpoint; every rejection names the parameter and value. */
export function parseListQuery(query: Record<string, unknown>, accept: string | undefined, params: EndpointParams): ListQuery {
  const allowed = [...COMMON_PARAMS, ...params.filters, ...(params.statuses.length > 0 ? ['status'] : [])];
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      'invalid_parameter',
      `unknown query parameter(s): ${unknown.join(', ')}; this endpoint takes ${allowed.join(', ')}`,
      unknown.map((field) => ({ field, message: `${field} is not a parameter of this endpoint`, value: query[field] })),
    );
  }

  const format = single(query, 'format');
  if (format !== undefined && format !== 'json' && format !== 'csv') throw invalid('format', 'must be json or csv', format);
  const csv = format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(accept ?? ''));

  const timeZone = parseTimeZone(single(query, 'tz'));
  const intervalRaw = single(query, 'interval') ?? 'day';
  if (!(INTERVALS as readonly string[]).includes(intervalRaw)) throw invalid('interval', `must be one of ${INTERVALS.join(', ')}`, intervalRaw);
  const interval = intervalRaw as Interval;

  const fromMs = parseBound('from', single(query, 'from'), timeZone);
  const toMs = parseBound('to', single(query, 'to'), timeZone);
  if (fromMs !== undefined && toMs !== undefined) {
    if (fromMs >= toMs) throw invalid('to', 'must be later than from', single(query, 'to'));
    checkBucketCount(fromMs, toMs, interval, timeZone);
  }

  const result: ListQuery = { timeZone, interval, fromMs, toMs, limit: parseLimit(single(query, 'limit'), csv), csv };
  result.cursor = decodeCursor(single(query, 'cursor'), params.endpoint);

  for (const filter of params.filters) {
    const value = single(query, filter);
    if (value === undefined) continue;
    if (!ID_PATTERN.test(value)) throw invalid(filter, 'must be 1 to 256 printable ASCII characters without spaces', value);
    if (filter === 'client_id') result.clientId = value;
    else result.mediaId = value;
  }
  const status = single(query, 'status');
  if (status !== undefined) {
    if (!params.statuses.includes(status)) throw invalid('status', `must be one of ${params.statuses.join(', ')}`, status);
    result.status = status;
  }
  return result;
}
