import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './env';

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A key as the apps hold it in memory: only its SHA-256 digest, never the key itself. */
export interface ApiKeyRecord {
  /** Public name of the key, safe to log. */
  id: string;
  accountId: string;
  scopes: ApiKeyScope[];
  sha256: Buffer;
}

interface ApiKeyFileEntry {
  id?: unknown;
  account_id?: unknown;
  scopes?: unknown;
  key?: unknown;
  key_sha256?: unknown;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Loads API keys from a JSON file `{ "keys": [ { "id", "account_id", "scopes", "key" | "key_sha256" } ] }`.
 * A key may be given in clear (development) or as the hex SHA-256 of the key.
 */
export function loadApiKeys(path: string): ApiKeyRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`API keys file ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  const entries = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(entries)) throw new ConfigError(`API keys file ${path} must contain {"keys": [...]}`);

  return entries.map((entry: ApiKeyFileEntry, index) => parseEntry(entry, `${path}: keys[${index}]`));
}

function parseEntry(entry: ApiKeyFileEntry, where: string): ApiKeyRecord {
  if (typeof entry.id !== 'string' || entry.id === '') throw new ConfigError(`${where}.id must be a non-empty string`);
  if (typeof entry.account_id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(entry.account_id)) {
    throw new ConfigError(`${where}.account_id must be 1 to 64 letters, digits, _ or -`);
  }
  const scopes = entry.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => API_KEY_SCOPES.includes(s))) {
    throw new ConfigError(`${where}.scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}`);
  }

  let sha256: Buffer;
  if (typeof entry.key === 'string' && entry.key.length >= 16) {
    sha256 = hashApiKey(entry.key);
  } else if (typeof entry.key_sha256 === 'string' && /^[0-9a-f]{64}$/.test(entry.key_sha256)) {
    sha256 = Buffer.from(entry.key_sha256, 'hex');
  } else {
    throw new ConfigError(`${where} needs "key" (at least 16 characters) or "key_sha256" (64 lower-case hex digits)`);
  }
  return { id: entry.id, accountId: entry.account_id, scopes: scopes as ApiKeyScope[], sha256 };
}

/**
 * Finds the record of a presented key. Every record is compared, each in constant time, so the
 * time taken does not reveal which key or how much of it matched.
 */
export function findApiKey(records: readonly ApiKeyRecord[], presented: string): ApiKeyRecord | undefined {
  const digest = hashApiKey(presented);
  let found: ApiKeyRecord | undefined;
  for (const record of records) {
    if (timingSafeEqual(record.sha256, digest) && found === undefined) found = record;
  }
  return found;
}
