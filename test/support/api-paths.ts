/**
 * Returns the query API paths of one collection whose responses must not change when the same
 * events are stored again (replay, rebuild, crash recovery). An endpoint added here is compared by
 * the rebuild and fault tests too.
 */
export function collectionApiPaths(collectionId: string): string[] {
  const base = `/api/v1/collections/${encodeURIComponent(collectionId)}`;
  return [`${base}/photo_downloads`, `${base}/downloads/`, `${base}/gallery_video_downloads`, `${base}/photo_sharing_links`, `${base}/favorites`];
}

/**
 * Removes the parts of a query API response that may differ between two reads of the same data:
 * the `meta` objects, which carry the freshness watermark and the response time.
 */
export function stableAnswer(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  if (Array.isArray(body)) return body.map(stableAnswer);
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'meta') continue;
    copy[key] = stableAnswer(value);
  }
  return copy;
}
