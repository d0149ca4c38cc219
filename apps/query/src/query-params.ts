import { COLLECTION_ID_PATTERN } from '@gallery/contract';
import { ApiError } from '@gallery/http';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** Rejects query parameters the endpoint does not know, so a misspelt filter is not silently ignored. */
export function rejectUnknownParams(query: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      'invalid_parameter',
      `unknown query parameter(s): ${unknown.join(', ')}; this endpoint takes ${allowed.length ? allowed.join(', ') : 'none'}`,
      unknown.map((field) => ({ field, message: `${field} is not a parameter of this endpoint`, value: query[field] })),
    );
  }
}

export function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIST_LIMIT;
  const text = Array.isArray(raw) ? undefined : String(raw);
  if (text === undefined || !/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIST_LIMIT) {
    throw new ApiError(400, 'invalid_parameter', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`, [
      { field: 'limit', message: `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`, value: raw },
    ]);
  }
  return Number(text);
}

export function parseCollectionId(raw: string): string {
  if (!COLLECTION_ID_PATTERN.test(raw)) {
    throw new ApiError(400, 'invalid_parameter', 'collection_id must be 1 to 128 letters, digits or . _ : ~ -, starting with a letter or digit', [
      { field: 'collection_id', message: 'collection_id has an invalid form', value: raw },
    ]);
  }
  return raw;
}
