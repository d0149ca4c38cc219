import { fragment, SqlFragment, sql } from '@gallery/clickhouse';
import { ListQuery } from './query-params';

/** The caller's account and, for per-collection endpoints, the collection. */
export interface Scope {
  accountId: string;
  collectionId: string;
}

/** Everything a repository needs to build one endpoint's SQL. */
export interface ReadContext {
  scope: Scope;
  query: ListQuery;
  /** Rows received after this instant (Unix ms) are left out, so every page reads the same rows. */
  snapshotMs: number;
}

/** Rows that count as downloads: every photo download, and video downloads once they closed. */
export const DOWNLOAD_ROWS = fragment`(type = 'photo.downloaded' OR (type = 'video.download' AND status != 'started'))`;

/**
 * Builds the PREWHERE clause of a per-collection statement: tenant and collection. The primary key
 * index picks at least one granule (8,192 rows) per part around the collection's key range, mostly
 * rows of other collections. ClickHouse reads the PREWHERE columns first and the other columns only
 * for granules where some row passes, so those neighbouring granules cost two string columns.
 */
export function collectionPrewhere(scope: Scope): SqlFragment {
  return fragment`PREWHERE account_id = ${scope.accountId} AND collection_id = ${scope.collectionId}`;
}

/**
 * Builds the PREWHERE and WHERE clauses of a per-collection statement on `events`: tenant and
 * collection (see {@link collectionPrewhere}), the snapshot, then `conditions`.
 */
export function collectionFilter(context: ReadContext, ...conditions: Array<string | SqlFragment>): string {
  const where = [sql`received_at_ms <= ${context.snapshotMs}`, ...conditions.map(String)];
  return `${collectionPrewhere(context.scope)} WHERE ${where.join(' AND ')}`;
}

/** Builds the `from`/`to` condition on event time, or TRUE when none is given. */
export function rangeWhere(query: ListQuery, column = 'occurred_at_ms'): SqlFragment {
  const parts: string[] = [];
  if (query.fromMs !== undefined) parts.push(`${column} >= ${query.fromMs}`);
  if (query.toMs !== undefined) parts.push(`${column} < ${query.toMs}`);
  return new SqlFragment(parts.length > 0 ? parts.join(' AND ') : '1');
}

/** Builds the client, media and status conditions, or TRUE when none is given. */
export function filterWhere(query: ListQuery, statusColumn = 'status'): SqlFragment {
  const parts: string[] = [];
  if (query.clientId !== undefined) parts.push(sql`client_id = ${query.clientId}`);
  if (query.mediaId !== undefined) parts.push(sql`media_id = ${query.mediaId}`);
  if (query.status !== undefined) parts.push(`${statusColumn} = ${sql`${query.status}`}`);
  return new SqlFragment(parts.length > 0 ? parts.join(' AND ') : '1');
}

/** Keyset condition for rows sorted descending by (time, id): rows strictly after the cursor. */
export function afterDescending(timeColumn: string, idColumn: string, after: Array<string | number> | undefined): SqlFragment {
  if (!after) return new SqlFragment('1');
  const [time, id] = after;
  return new SqlFragment(sql`(${new SqlFragment(timeColumn)} < ${time} OR (${new SqlFragment(timeColumn)} = ${time} AND ${new SqlFragment(idColumn)} < ${String(id)}))`);
}
