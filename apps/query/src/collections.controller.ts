import { Controller, Get, Headers, Param, Query, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ClickHouseService } from '@gallery/clickhouse';
import { Caller, CurrentCaller, RequireScope } from '@gallery/http';
import { streamCsv } from './csv';
import { DownloadRow, DownloadsRepository } from './downloads.repository';
import { DownloadsService, toDownload } from './downloads.service';
import { FavoriteRow, FavoritesRepository } from './favorites.repository';
import { FavoritesService, toFavorite } from './favorites.service';
import { ApiErrorResponses, ApiListQuery, COLLECTION_ID_SCHEMA, responseSchema } from './openapi';
import { EndpointParams } from './query-params';
import { readContext } from './read-context';
import { ShareLinkRow, ShareLinksRepository } from './share-links.repository';
import { SHARE_LINK_STATUSES, ShareLinksService, toShareLink } from './share-links.service';
import { VideoDownloadRow, VideosRepository } from './videos.repository';
import { toVideoDownload, VideosService } from './videos.service';

const PHOTO_PARAMS: EndpointParams = { endpoint: 'photo_downloads', statuses: ['completed', 'partial', 'failed'], filters: ['client_id', 'media_id'] };
const VIDEO_PARAMS: EndpointParams = {
  endpoint: 'gallery_video_downloads',
  statuses: ['started', 'completed', 'partial', 'failed', 'cancelled'],
  filters: ['client_id', 'media_id'],
};
const DOWNLOAD_PARAMS: EndpointParams = { endpoint: 'downloads', statuses: ['completed', 'partial', 'failed', 'cancelled'], filters: ['client_id', 'media_id'] };
const SHARE_LINK_PARAMS: EndpointParams = { endpoint: 'photo_sharing_links', statuses: SHARE_LINK_STATUSES, filters: [] };
const FAVORITE_PARAMS: EndpointParams = { endpoint: 'favorites', statuses: [], filters: ['client_id', 'media_id'] };

function csvFile(stream: Readable, name: string): StreamableFile {
  return new StreamableFile(stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${name}.csv"` });
}

/** Per-collection analytics. A collection of another account reads as empty, never as an error. */
@ApiTags('collections')
@ApiSecurity('api-key')
@ApiProduces('application/json', 'text/csv')
@ApiParam({ name: 'collection_id', schema: COLLECTION_ID_SCHEMA, description: 'Collection id: 1 to 128 letters, digits or . _ : ~ -, starting with a letter or digit' })
@Controller('api/v1/collections/:collection_id')
@RequireScope('read')
export class CollectionsController {
  constructor(
    private readonly clickhouse: ClickHouseService,
    private readonly downloads: DownloadsService,
    private readonly downloadsRepository: DownloadsRepository,
    private readonly videos: VideosService,
    private readonly videosRepository: VideosRepository,
    private readonly shareLinks: ShareLinksService,
    private readonly shareLinksRepository: ShareLinksRepository,
    private readonly favorites: FavoritesService,
    private readonly favoritesRepository: FavoritesRepository,
  ) {}

  @Get('photo_downloads')
  @ApiOperation({ summary: 'Photo downloads of a collection: each download, downloads per photo, totals' })
  @ApiListQuery(PHOTO_PARAMS)
  @ApiErrorResponses()
  @ApiOkResponse({ schema: responseSchema('photo_downloads') })
  async photoDownloads(
    @Param('collection_id') collectionId: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentCaller() caller: Caller,
  ) {
    const context = readContext(caller, collectionId, query, accept, PHOTO_PARAMS);
    if (context.query.csv) {
      const sqlText = this.downloadsRepository.listSql(context, true, context.query.limit);
      return csvFile(streamCsv<DownloadRow>(this.clickhouse, sqlText, toDownload), 'photo_downloads');
    }
    return this.downloads.photoDownloads(context);
  }

  @Get('gallery_video_downloads')
  @ApiOperation({ summary: 'Video downloads of a collection: each download with its lifecycle, counts per status, per-video totals' })
  @ApiListQuery(VIDEO_PARAMS)
  @ApiErrorResponses()
  @ApiOkResponse({ schema: responseSchema('gallery_video_downloads') })
  async videoDownloads(
    @Param('collection_id') collectionId: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentCaller() caller: Caller,
  ) {
    const context = readContext(caller, collectionId, query, accept, VIDEO_PARAMS);
    if (context.query.csv) {
      const sqlText = this.videosRepository.listSql(context, context.query.limit);
      return csvFile(streamCsv<VideoDownloadRow>(this.clickhouse, sqlText, toVideoDownload), 'gallery_video_downloads');
    }
    return this.videos.videoDownloads(context);
  }

  // Served with and without the trailing slash: the Fastify router ignores trailing slashes.
  @Get('downloads')
  @ApiOperation({ summary: 'All downloads of a collection: totals, status counts, bandwidth, timeline, client activity' })
  @ApiListQuery(DOWNLOAD_PARAMS)
  @ApiErrorResponses()
  @ApiOkResponse({ schema: responseSchema('downloads') })
  async allDownloads(
    @Param('collection_id') collectionId: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentCaller() caller: Caller,
  ) {
    const context = readContext(caller, collectionId, query, accept, DOWNLOAD_PARAMS);
    if (context.query.csv) {
      const sqlText = this.downloadsRepository.listSql(context, false, context.query.limit);
      return csvFile(streamCsv<DownloadRow>(this.clickhouse, sqlText, toDownload), 'downloads');
    }
    return this.downloads.allDownloads(context);
  }

  @Get('photo_sharing_links')
  @ApiOperation({ summary: 'Share links of a collection: URL, expiry, permissions, status and usage' })
  @ApiListQuery(SHARE_LINK_PARAMS)
  @ApiErrorResponses()
  @ApiOkResponse({ schema: responseSchema('photo_sharing_links') })
  async sharingLinks(
    @Param('collection_id') collectionId: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentCaller() caller: Caller,
  ) {
    const context = readContext(caller, collectionId, query, accept, SHARE_LINK_PARAMS);
    const nowMs = Date.now();
    if (context.query.csv) {
      const sqlText = this.shareLinksRepository.listSql(context, nowMs, context.query.limit);
      return csvFile(streamCsv<ShareLinkRow>(this.clickhouse, sqlText, toShareLink), 'photo_sharing_links');
    }
    return this.shareLinks.shareLinks(context, nowMs);
  }

  @Get('favorites')
  @ApiOperation({ summary: 'What clients favorite now in a collection, by whom and when, with counts per item' })
  @ApiListQuery(FAVORITE_PARAMS)
  @ApiErrorResponses()
  @ApiOkResponse({ schema: responseSchema('favorites') })
  async favoritesOf(
    @Param('collection_id') collectionId: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentCaller() caller: Caller,
  ) {
    const context = readContext(caller, collectionId, query, accept, FAVORITE_PARAMS);
    if (context.query.csv) {
      const sqlText = this.favoritesRepository.listSql(context, context.query.limit);
      return csvFile(streamCsv<FavoriteRow>(this.clickhouse, sqlText, toFavorite), 'favorites');
    }
    return this.favorites.favorites(context);
  }
}
