import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@gallery/config';
import { ClickHouseService, SHORT_READ_SETTINGS } from '@gallery/clickhouse';
import { apiKeyGuardProvider, clickHouseReadinessCheck, HealthController, MetricsController, READINESS_CHECKS } from '@gallery/http';
import { CollectionsController } from './collections.controller';
import { DownloadsRepository } from './downloads.repository';
import { DownloadsService } from './downloads.service';
import { FavoritesRepository } from './favorites.repository';
import { FavoritesService } from './favorites.service';
import { PhotosController } from './photos.controller';
import { ShareLinksRepository } from './share-links.repository';
import { ShareLinksService } from './share-links.service';
import { StarredRepository } from './starred.repository';
import { StarredService } from './starred.service';
import { VideosRepository } from './videos.repository';
import { VideosService } from './videos.service';
import { WatermarkRepository } from './watermark.repository';

@Module({})
export class QueryModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: QueryModule,
      controllers: [CollectionsController, PhotosController, HealthController, MetricsController],
      providers: [
        { provide: ClickHouseService, useFactory: () => new ClickHouseService(config.clickhouse, SHORT_READ_SETTINGS) },
        { provide: READINESS_CHECKS, useFactory: (clickhouse: ClickHouseService) => [clickHouseReadinessCheck(clickhouse)], inject: [ClickHouseService] },
        {
          provide: WatermarkRepository,
          useFactory: (clickhouse: ClickHouseService) => new WatermarkRepository(clickhouse, config.kafka.topic),
          inject: [ClickHouseService],
        },
        DownloadsRepository,
        DownloadsService,
        VideosRepository,
        VideosService,
        ShareLinksRepository,
        ShareLinksService,
        FavoritesRepository,
        FavoritesService,
        StarredRepository,
        StarredService,
        apiKeyGuardProvider(config, 'query'),
      ],
    };
  }
}
