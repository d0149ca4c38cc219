import { formatIsoInstant } from '@gallery/contract';
import { encodeCursor, ListQuery } from './query-params';
import { ReadContext } from './scope';

/** The `meta` object of every list response. */
export interface ResponseMeta {
  limit: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  next_cursor: string | null;
  /** Every event accepted up to this instant is included; null while unknown. */
  complete_through: string | null;
  /** Rows received after this instant are left out of this and the following pages. */
  snapshot_at: string;
  time_zone: string;
  interval: string;
  from: string | null;
  to: string | null;
}

export function buildMeta(context: ReadContext, endpoint: string, nextAfter: Array<string | number> | null, watermarkMs: number | null): ResponseMeta {
  const { query, snapshotMs } = context;
  return {
    limit: query.limit,
    next_cursor: nextAfter ? encodeCursor({ endpoint, snapshotMs, after: nextAfter }) : null,
    complete_through: watermarkMs === null ? null : formatIsoInstant(Math.min(watermarkMs, snapshotMs)),
    snapshot_at: formatIsoInstant(snapshotMs),
    time_zone: query.timeZone,
    interval: query.interval,
    from: query.fromMs === undefined ? null : formatIsoInstant(query.fromMs),
    to: query.toMs === undefined ? null : formatIsoInstant(query.toMs),
  };
}

/**
 * Splits a list read with `limit + 1` rows into the page and the sort key after which the next
 * page starts, or null when this page is the last.
 */
export function page<Row>(rows: Row[], query: ListQuery, keyOf: (row: Row) => Array<string | number>): { rows: Row[]; nextAfter: Array<string | number> | null } {
  if (rows.length <= query.limit) return { rows, nextAfter: null };
  const pageRows = rows.slice(0, query.limit);
  return { rows: pageRows, nextAfter: keyOf(pageRows[pageRows.length - 1]) };
}
