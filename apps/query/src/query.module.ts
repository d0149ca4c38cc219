import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { AppConfig, loadApiKeys } from '@gallery/config';
import { ClickHouseService } from '@gallery/clickhouse';
import { ApiKeyGuard, clickHouseReadinessCheck, HealthController, MetricsController, READINESS_CHECKS } from '@gallery/http';
import { CollectionsController } from './collections.controller';
import { DownloadsRepository } from './downloads.repository';
import { DownloadsService } from './downloads.service';

@Module({})
export class QueryModule {
  static register(config: AppConfig): DynamicModule {
    const keys = loadApiKeys(config.apiKeysFile);
    return {
      module: QueryModule,
      controllers: [CollectionsController, HealthController, MetricsController],
      providers: [
        { provide: ClickHouseService, useFactory: () => new ClickHouseService(config.clickhouse) },
        { provide: READINESS_CHECKS, useFactory: (clickhouse: ClickHouseService) => [clickHouseReadinessCheck(clickhouse)], inject: [ClickHouseService] },
        DownloadsRepository,
        DownloadsService,
        { provide: APP_GUARD, useFactory: (reflector: Reflector) => new ApiKeyGuard(reflector, keys), inject: [Reflector] },
      ],
    };
  }
}
