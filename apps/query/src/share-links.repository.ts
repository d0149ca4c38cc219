import { Injectable } from '@nestjs/common';
import { ClickHouseService, sql } from '@gallery/clickhouse';
import { afterDescending, collectionFilter, rangeWhere, ReadContext } from './scope';

export interface ShareLinkRow {
  link_id: string;
  link_url: string;
  link_media_ids: string[];
  link_permissions: string[];
  /** 0 when the link never expires. */
  link_expires_ms: string;
  link_password: number;
  has_settings: number;
  created_ms: string;
  has_created: number;
  creator_id: string;
  revoked_ms: string;
  has_revoked: number;
  revoke_reason: string;
  views: string;
  unique_visitors: string;
  link_downloads: string;
  link_bytes: string;
  last_access_ms: string;
  sort_ms: string;
  link_status: string;
}

const SETTINGS_EVENT = `type IN ('share_link.created', 'share_link.updated')`;
const DOWNLOAD_EVENT = `(type = 'photo.downloaded' OR (type = 'video.download' AND status != 'started'))`;

/**
 * SQL for the share links endpoint. A link's settings come from its latest created or updated
 * event, ordered by (time, updated after created, event id). A revocation is final. Usage counts
 * come from access and download events that name the link and fall in the `from`/`to` range.
 */
@Injectable()
export class ShareLinksRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  private foldedSql(context: ReadContext, nowMs: number): string {
    const inRange = rangeWhere(context.query).text;
    const version = `tuple(occurred_at_ms, type = 'share_link.updated', event_id)`;
    const folded = `
      SELECT
        share_link_id AS link_id,
        argMaxIf(share_url, ${version}, ${SETTINGS_EVENT}) AS link_url,
        argMaxIf(share_media_ids, ${version}, ${SETTINGS_EVENT}) AS link_media_ids,
        argMaxIf(share_permissions, ${version}, ${SETTINGS_EVENT}) AS link_permissions,
        -- Aggregates skip NULL arguments, so a cleared expiry is folded as 0 and read back as none.
        argMaxIf(ifNull(share_expires_at_ms, 0), ${version}, ${SETTINGS_EVENT}) AS link_expires_ms,
        argMaxIf(share_password_protected, ${version}, ${SETTINGS_EVENT}) AS link_password,
        countIf(${SETTINGS_EVENT}) > 0 AS has_settings,
        minIf(occurred_at_ms, type = 'share_link.created') AS created_ms,
        countIf(type = 'share_link.created') > 0 AS has_created,
        argMinIf(client_id, tuple(occurred_at_ms, event_id), type = 'share_link.created') AS creator_id,
        minIf(occurred_at_ms, type = 'share_link.revoked') AS revoked_ms,
        countIf(type = 'share_link.revoked') > 0 AS has_revoked,
        argMinIf(reason, tuple(occurred_at_ms, event_id), type = 'share_link.revoked') AS revoke_reason,
        countIf(type = 'share_link.accessed' AND ${inRange}) AS views,
        uniqExactIf(client_id, type = 'share_link.accessed' AND ${inRange}) AS unique_visitors,
        countIf(${DOWNLOAD_EVENT} AND ${inRange}) AS link_downloads,
        sumIf(bytes_transferred, ${DOWNLOAD_EVENT} AND ${inRange}) AS link_bytes,
        maxIf(occurred_at_ms, type = 'share_link.accessed') AS last_access_ms,
        if(has_created, created_ms, min(occurred_at_ms)) AS sort_ms
      FROM events
      ${collectionFilter(context, `share_link_id != ''`)}
      GROUP BY share_link_id
    `;
    // Status is decided against the time of the request: an expiry in the past means expired.
    return `
      SELECT *, multiIf(has_revoked, 'revoked', link_expires_ms > 0 AND link_expires_ms <= ${nowMs}, 'expired', 'active') AS link_status
      FROM (${folded})
    `;
  }

  listSql(context: ReadContext, nowMs: number, limit: number): string {
    const status = context.query.status !== undefined ? sql`AND link_status = ${context.query.status}` : '';
    return `
      SELECT *
      FROM (${this.foldedSql(context, nowMs)})
      WHERE ${afterDescending('sort_ms', 'link_id', context.query.cursor?.after)} ${status}
      ORDER BY sort_ms DESC, link_id DESC
      ${limit < Number.MAX_SAFE_INTEGER ? `LIMIT ${limit}` : ''}
    `;
  }

  async list(context: ReadContext, nowMs: number, limit: number): Promise<ShareLinkRow[]> {
    return this.clickhouse.query<ShareLinkRow>(this.listSql(context, nowMs, limit));
  }

  async totals(context: ReadContext, nowMs: number): Promise<Record<string, string>> {
    const [row] = await this.clickhouse.query<Record<string, string>>(`
      SELECT
        count() AS links,
        countIf(link_status = 'active') AS active,
        countIf(link_status = 'expired') AS expired,
        countIf(link_status = 'revoked') AS revoked,
        sum(views) AS total_views,
        sum(link_downloads) AS total_downloads,
        sum(link_bytes) AS total_bytes
      FROM (${this.foldedSql(context, nowMs)})
    `);
    return row;
  }

  /** Unique visitors over all links together, which is not the sum of per-link counts. */
  async uniqueVisitors(context: ReadContext): Promise<string> {
    const [row] = await this.clickhouse.query<{ visitors: string }>(`
      SELECT uniqExact(client_id) AS visitors
      FROM events
      ${collectionFilter(context, `type = 'share_link.accessed'`, rangeWhere(context.query))}
    `);
    return row.visitors;
  }
}
