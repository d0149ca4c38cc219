import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAppConfig } from '@gallery/config';
import { buildOpenApiDocument } from '../apps/query/src/openapi-document';
import { QueryModule } from '../apps/query/src/query.module';

// The repository root: one level above tools/ in the sources, two above dist/tools/ when built.
const ROOT = existsSync(join(__dirname, '..', 'package.json')) ? join(__dirname, '..') : join(__dirname, '..', '..');

/** Renders the query API's OpenAPI document as stable, pretty-printed JSON. */
export async function renderOpenApi(): Promise<string> {
  const config = loadAppConfig({ API_KEYS_FILE: join(ROOT, 'config', 'api-keys.dev.json'), LOG_LEVEL: 'silent' });
  const app = await NestFactory.create(QueryModule.register(config), new FastifyAdapter(), { logger: false });
  try {
    await app.init();
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const target = join(ROOT, 'docs', 'openapi.json');
  writeFileSync(target, await renderOpenApi());
  console.log(`wrote ${target}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`generating the OpenAPI document failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}
