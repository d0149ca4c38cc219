import { Controller, Get, Param, Query } from '@nestjs/common';
import { Caller, CurrentCaller, RequireScope } from '@gallery/http';
import { DownloadsService } from './downloads.service';
import { parseCollectionId, parseLimit, rejectUnknownParams } from './query-params';

const LIST_PARAMS = ['limit'];

/** Per-collection analytics. A collection of another account reads as empty, never as an error. */
@Controller('api/v1/collections/:collection_id')
@RequireScope('read')
export class CollectionsController {
  constructor(private readonly downloads: DownloadsService) {}

  @Get('photo_downloads')
  async photoDownloads(@Param('collection_id') collectionId: string, @Query() query: Record<string, unknown>, @CurrentCaller() caller: Caller) {
    rejectUnknownParams(query, LIST_PARAMS);
    const limit = parseLimit(query.limit);
    const scope = { accountId: caller.accountId, collectionId: parseCollectionId(collectionId) };
    return { data: await this.downloads.photoDownloads(scope, limit), meta: { limit, generated_at: new Date().toISOString() } };
  }

  // Served with and without the trailing slash: the Fastify router ignores trailing slashes.
  @Get('downloads')
  async allDownloads(@Param('collection_id') collectionId: string, @Query() query: Record<string, unknown>, @CurrentCaller() caller: Caller) {
    rejectUnknownParams(query, LIST_PARAMS);
    const limit = parseLimit(query.limit);
    const scope = { accountId: caller.accountId, collectionId: parseCollectionId(collectionId) };
    return { data: await this.downloads.allDownloads(scope, limit), meta: { limit, generated_at: new Date().toISOString() } };
  }
}
