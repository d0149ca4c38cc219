import { Caller } from '@gallery/http';
import { EndpointParams, parseCollectionId, parseListQuery } from './query-params';
import { ReadContext } from './scope';

/** Validates a request's parameters and fixes the snapshot its pages are read at. */
export function readContext(
  caller: Caller,
  collectionId: string | undefined,
  query: Record<string, unknown>,
  accept: string | undefined,
  params: EndpointParams,
): ReadContext {
  const listQuery = parseListQuery(query, accept, params);
  return {
    scope: { accountId: caller.accountId, collectionId: collectionId === undefined ? '' : parseCollectionId(collectionId) },
    query: listQuery,
    snapshotMs: listQuery.cursor?.snapshotMs ?? Date.now(),
  };
}
