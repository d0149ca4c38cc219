import 'reflect-metadata';
import { loadAppConfig } from '@gallery/config';
import { exitOnStartupFailure, startHttpApp } from '@gallery/http';
import { mountSwaggerUi } from './openapi-document';
import { QueryModule } from './query.module';

async function main(): Promise<void> {
  const config = loadAppConfig();
  await startHttpApp(QueryModule.register(config), {
    service: 'query',
    host: config.query.host,
    port: config.query.port,
    logLevel: config.logLevel,
    configure: mountSwaggerUi,
  });
}

main().catch(exitOnStartupFailure('query'));
