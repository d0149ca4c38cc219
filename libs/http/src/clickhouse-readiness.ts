import { ClickHouseService } from '@gallery/clickhouse';
import { ReadinessCheck } from './health.controller';

/** Readiness of ClickHouse: the server answers a ping on the app's client. */
export function clickHouseReadinessCheck(clickhouse: ClickHouseService): ReadinessCheck {
  return {
    name: 'clickhouse',
    async check() {
      const result = await clickhouse.client.ping();
      if (!result.success) throw result.error;
    },
  };
}
