import 'reflect-metadata';
import { loadAppConfig } from '@gallery/config';
import { exitOnStartupFailure, limitBytesInFlight, startHttpApp } from '@gallery/http';
import { IngestModule } from './ingest.module';

async function main(): Promise<void> {
  const config = loadAppConfig();
  await startHttpApp(IngestModule.register(config), {
    service: 'ingest',
    host: config.ingest.host,
    port: config.ingest.port,
    logLevel: config.logLevel,
    bodyLimit: config.ingest.maxBodyBytes,
    // The ingest heap is capped (scripts/node-options.sh), so the bodies parsed at once are bounded.
    configure: (app) => limitBytesInFlight(app.getHttpAdapter().getInstance(), config.ingest.maxBytesInFlight, config.ingest.maxBodyBytes),
  });
}

main().catch(exitOnStartupFailure('ingest'));
