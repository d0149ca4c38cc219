import { Injectable } from '@nestjs/common';
import { formatIsoInstant } from '@gallery/contract';
import { exactInteger } from '@gallery/http';
import { buildMeta, page } from './response-meta';
import { ReadContext } from './scope';
import { ShareLinkRow, ShareLinksRepository } from './share-links.repository';
import { WatermarkRepository } from './watermark.repository';

export const SHARE_LINK_STATUSES = ['active', 'expired', 'revoked'] as const;

export function toShareLink(row: ShareLinkRow) {
  const hasSettings = Number(row.has_settings) === 1;
  return {
    share_link_id: row.link_id,
    url: hasSettings ? row.link_url : null,
    media_ids: hasSettings ? row.link_media_ids : [],
    permissions: hasSettings ? row.link_permissions : [],
    password_protected: hasSettings ? Number(row.link_password) === 1 : null,
    created_at: Number(row.has_created) ? formatIsoInstant(Number(row.created_ms)) : null,
    created_by: row.creator_id ? { id: row.creator_id } : null,
    expires_at: Number(row.link_expires_ms) > 0 ? formatIsoInstant(Number(row.link_expires_ms)) : null,
    revoked_at: Number(row.has_revoked) ? formatIsoInstant(Number(row.revoked_ms)) : null,
    revoke_reason: row.revoke_reason || null,
    status: row.link_status,
    usage: {
      views: exactInteger(row.views),
      unique_visitors: exactInteger(row.unique_visitors),
      downloads: exactInteger(row.link_downloads),
      bytes_transferred: exactInteger(row.link_bytes),
      last_accessed_at: Number(row.last_access_ms) > 0 ? formatIsoInstant(Number(row.last_access_ms)) : null,
    },
  };
}

/** Builds the share links response: each link's settings, status and usage. */
@Injectable()
export class ShareLinksService {
  constructor(
    private readonly repository: ShareLinksRepository,
    private readonly watermarks: WatermarkRepository,
  ) {}

  async shareLinks(context: ReadContext, nowMs: number) {
    const [totals, visitors, listed, watermark] = await Promise.all([
      this.repository.totals(context, nowMs),
      this.repository.uniqueVisitors(context),
      this.repository.list(context, nowMs, context.query.limit + 1),
      this.watermarks.completeThrough(),
    ]);
    const { rows, nextAfter } = page(listed, context.query, (row) => [Number(row.sort_ms), row.link_id]);
    const data = {
      collection_id: context.scope.collectionId,
      totals: {
        links: exactInteger(totals.links),
        active: exactInteger(totals.active),
        expired: exactInteger(totals.expired),
        revoked: exactInteger(totals.revoked),
        views: exactInteger(totals.total_views),
        unique_visitors: exactInteger(visitors),
        downloads: exactInteger(totals.total_downloads),
        bytes_transferred: exactInteger(totals.total_bytes),
      },
      links: rows.map(toShareLink),
    };
    return { data, meta: buildMeta(context, 'photo_sharing_links', nextAfter, watermark) };
  }
}
