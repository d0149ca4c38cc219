import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

/** One entry of the keys file as stored on disk. Only the digest of the key is stored. */
export interface ApiKeyFileEntry {
  id: string;
  account_id: string;
  scopes: ApiKeyScope[];
  key_sha256: string;
  created_at?: string;
  /** Set by `keys revoke`; a revoked entry stays in the file for the record but matches no request. */
  revoked_at?: string;
}

export interface ApiKeyFile {
  keys: ApiKeyFileEntry[];
}

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Generates a new key: a `gak_` prefix, so secret scanners can spot it, and 256 random bits. */
export function generateApiKey(): string {
  return `gak_${randomBytes(32).toString('base64url')}`;
}

/** Reads and validates a keys file without dropping revoked entries; used by the `keys` command. */
export function readApiKeyFile(path: string): ApiKeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`API keys file ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  const entries = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries)) throw new ConfigError(`API keys file ${path} must contain {"keys": [...]}`);

  const keys = entries.map((entry: unknown, index) => parseApiKeyEntry(entry as Record<string, unknown>, `${path}: keys[${index}]`));
  const seen = new Set<string>();
  for (const entry of keys) {
    if (seen.has(entry.id)) throw new ConfigError(`API keys file ${path} lists the key id ${entry.id} twice; key ids must be unique`);
    seen.add(entry.id);
  }
  return { keys };
}

/**
 * Loads the active API keys from a JSON file
 * `{ "keys": [ { "id", "account_id", "scopes", "key_sha256", "created_at"?, "revoked_at"? } ] }`.
 * Keys are stored only as the hex SHA-256 of the key; an entry with the key in clear is rejected.
 * Revoked entries are skipped.
 */
export function loadApiKeys(path: string): ApiKeyRecord[] {
  return readApiKeyFile(path)
    .keys.filter((entry) => entry.revoked_at === undefined)
    .map((entry) => ({ id: entry.id, accountId: entry.account_id, scopes: entry.scopes, sha256: Buffer.from(entry.key_sha256, 'hex') }));
}

/** Validates one entry of the keys file; `where` prefixes the error messages. */
export function parseApiKeyEntry(entry: Record<string, unknown>, where: string): ApiKeyFileEntry {
  if (typeof entry !== 'object' || entry === null) throw new ConfigError(`${where} must be an object`);
  if (typeof entry.id !== 'string' || !KEY_ID.test(entry.id)) {
    throw new ConfigError(`${where}.id must be 1 to 64 letters, digits, . _ or -`);
  }
  if (typeof entry.account_id !== 'string' || !ACCOUNT_ID.test(entry.account_id)) {
    throw new ConfigError(`${where}.account_id must be 1 to 64 letters, digits, _ or -`);
  }
  const scopes = entry.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => API_KEY_SCOPES.includes(s))) {
    throw new ConfigError(`${where}.scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}`);
  }
  if ('key' in entry) {
    // The file is read by every app and often copied around, so it must not hold usable keys.
    throw new ConfigError(`${where} contains a key in clear, which is not allowed; store only its SHA-256 as "key_sha256" (node dist/tools/keys.js hash prints it)`);
  }
  if (typeof entry.key_sha256 !== 'string' || !SHA256_HEX.test(entry.key_sha256)) {
    throw new ConfigError(`${where}.key_sha256 must be the SHA-256 of the key as 64 lower-case hex digits`);
  }
  for (const field of ['created_at', 'revoked_at'] as const) {
    if (entry[field] !== undefined && (typeof entry[field] !== 'string' || Number.isNaN(Date.parse(entry[field] as string)))) {
      throw new ConfigError(`${where}.${field} must be an ISO-8601 instant`);
    }
  }

  const parsed: ApiKeyFileEntry = { id: entry.id, account_id: entry.account_id, scopes: scopes as ApiKeyScope[], key_sha256: entry.key_sha256 };
  if (entry.created_at !== undefined) parsed.created_at = entry.created_at as string;
  if (entry.revoked_at !== undefined) parsed.revoked_at = entry.revoked_at as string;
  return parsed;
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
