import { createClient } from '@clickhouse/client';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClickHouseConfig } from '@gallery/config';
import { identifier, sql } from './sql';

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

export interface MigrationLogger {
  log(message: string): void;
}

const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** Locates the migrations folder both from the TypeScript sources and from the compiled `dist/`. */
export function findMigrationsDir(start = __dirname): string {
  let dir = start;
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'libs', 'clickhouse', 'migrations');
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error(`ClickHouse migrations folder libs/clickhouse/migrations not found above ${start}`);
}

/** Splits a migration file into statements at semicolons that end a line. */
export function splitStatements(text: string): string[] {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file name ${file} must look like 001_create_events.sql`);
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2],
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    });

  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migrations must be numbered 1, 2, 3, … without gaps; found ${migration.version} at position ${index + 1}`);
    }
  });
  return migrations;
}

interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Creates the database when missing and applies the migrations not yet in the ledger table
 * `schema_migrations`, in order. A migration whose file changed after it was applied stops the
 * run, because the schema would no longer match its source.
 *
 * NOTE: ClickHouse has no transactions or locks, so two processes migrating at the same moment
 * may both run a statement. Every statement is written to be idempotent (IF NOT EXISTS) so the
 * result is the same, and only the consumer and the `migrate` command run migrations.
 */
export async function migrate(config: ClickHouseConfig, logger: MigrationLogger, dir = findMigrationsDir()): Promise<number> {
  const migrations = readMigrations(dir);
  const server = createClient({ url: config.url, username: config.username, password: config.password });
  try {
    await server.command({ query: `CREATE DATABASE IF NOT EXISTS ${identifier(config.database)}` });
  } finally {
    await server.close();
  }

  const client = createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
  });
  try {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations (
        version UInt32, name String, checksum String, applied_at DateTime DEFAULT now()
      ) ENGINE = MergeTree ORDER BY version`,
    });
    const result = await client.query({ query: 'SELECT version, name, checksum FROM schema_migrations', format: 'JSONEachRow' });
    const applied = new Map((await result.json<LedgerRow>()).map((row) => [Number(row.version), row]));

    let count = 0;
    for (const migration of migrations) {
      const done = applied.get(migration.version);
      if (done) {
        if (done.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.version}_${migration.name} changed after it was applied ` +
              `(ledger checksum ${done.checksum}, file ${migration.checksum}); add a new migration instead`,
          );
        }
        continue;
      }
      for (const statement of migration.statements) await client.command({ query: statement });
      await client.command({
        query: sql`INSERT INTO schema_migrations (version, name, checksum) VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`,
      });
      logger.log(`applied ClickHouse migration ${migration.version}_${migration.name} to ${config.database}`);
      count++;
    }
    return count;
  } finally {
    await client.close();
  }
}
