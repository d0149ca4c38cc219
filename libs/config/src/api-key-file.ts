import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { API_KEY_SCOPES, ApiKeyFile, ApiKeyFileEntry, ApiKeyScope, generateApiKey, hashApiKey, parseApiKeyEntry, readApiKeyFile } from './api-keys';
import { ConfigError } from './env';

/** A key entry as `listApiKeys` shows it: everything but the digest. */
export type ApiKeySummary = Omit<ApiKeyFileEntry, 'key_sha256'>;

/**
 * Writes the keys file by renaming a complete temporary file over it, so the apps, which poll the
 * file, never read half of it. The file keeps its permission bits; a new file gets 0600.
 */
export function writeApiKeyFile(path: string, file: ApiKeyFile): void {
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o600;
  const temporary = `${path}.${process.pid}.tmp`;
  const lines = file.keys.map((entry) => `    ${JSON.stringify(entry)}`);
  writeFileSync(temporary, `{\n  "keys": [\n${lines.join(',\n')}\n  ]\n}\n`, { mode });
  renameSync(temporary, path);
}

function checkScopes(scopes: string[]): ApiKeyScope[] {
  const unknown = scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new ConfigError(`scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}; invalid: ${unknown.join(', ') || '(none given)'}`);
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}

/**
 * Adds a new key for `accountId` and returns it. The key itself is returned only here: the file
 * stores its SHA-256, so a lost key cannot be recovered, only revoked and replaced.
 */
export function createApiKey(path: string, request: { id: string; accountId: string; scopes: string[] }, now = new Date()): string {
  const file = existsSync(path) ? readApiKeyFile(path) : { keys: [] };
  if (file.keys.some((entry) => entry.id === request.id)) {
    throw new ConfigError(`key id ${request.id} already exists in ${path}; choose another id`);
  }
  const key = generateApiKey();
  const entry: ApiKeyFileEntry = {
    id: request.id,
    account_id: request.accountId,
    scopes: checkScopes(request.scopes),
    key_sha256: hashApiKey(key).toString('hex'),
    created_at: now.toISOString(),
  };
  // Validates the id and account the same way the apps will when they load the file.
  parseApiKeyEntry({ ...entry }, `new key ${request.id}`);
  writeApiKeyFile(path, { keys: [...file.keys, entry] });
  return key;
}

/** Marks a key revoked; the apps stop accepting it at their next poll of the file. */
export function revokeApiKey(path: string, id: string, now = new Date()): ApiKeySummary {
  const file = readApiKeyFile(path);
  const entry = file.keys.find((candidate) => candidate.id === id);
  if (!entry) throw new ConfigError(`no key with id ${id} in ${path}; list the keys to see their ids`);
  if (entry.revoked_at === undefined) {
    entry.revoked_at = now.toISOString();
    writeApiKeyFile(path, file);
  }
  return summarize(entry);
}

/** Lists the keys without their digests. */
export function listApiKeys(path: string): ApiKeySummary[] {
  return readApiKeyFile(path).keys.map(summarize);
}

function summarize(entry: ApiKeyFileEntry): ApiKeySummary {
  const { key_sha256: _digest, ...summary } = entry;
  return summary;
}
