import 'reflect-metadata';
import { loadAppConfig } from '@gallery/config';
import { exitOnStartupFailure, startHttpApp } from '@gallery/http';
import { IngestModule } from './ingest.module';

async function main(): Promise<void> {
  const config = loadAppConfig();
  await startHttpApp(IngestModule.register(config), {
    service: 'ingest',
    host: config.ingest.host,
    port: config.ingest.port,
    logLevel: config.logLevel,
    bodyLimit: config.ingest.maxBodyBytes,
  });
}

main().catch(exitOnStartupFailure('ingest'));
