import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key-file';
import { ApiKeyStore } from './api-key-store';
import { findApiKey, hashApiKey, loadApiKeys } from './api-keys';
import { ConfigError } from './env';

function keysPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
}

function writeKeys(content: unknown, path = keysPath()): string {
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const digestOf = (key: string) => hashApiKey(key).toString('hex');

describe('loadApiKeys', () => {
  it('loads hashed keys and finds them', () => {
    const path = writeKeys({
      keys: [
        { id: 'a', account_id: 'acct_a', scopes: ['ingest'], key_sha256: digestOf('key-of-account-a-0001') },
        { id: 'b', account_id: 'acct_b', scopes: ['read'], key_sha256: digestOf('key-of-account-b-0002') },
      ],
    });
    const keys = loadApiKeys(path);
    expect(findApiKey(keys, 'key-of-account-a-0001')?.accountId).toBe('acct_a');
    expect(findApiKey(keys, 'key-of-account-b-0002')?.accountId).toBe('acct_b');
    expect(findApiKey(keys, 'key-of-account-b-0003')).toBeUndefined();
    expect(findApiKey(keys, '')).toBeUndefined();
  });

  it('skips revoked keys', () => {
    const path = writeKeys({
      keys: [{ id: 'a', account_id: 'acct_a', scopes: ['read'], key_sha256: digestOf('key-of-account-a-0001'), revoked_at: '2026-01-01T00:00:00Z' }],
    });
    expect(findApiKey(loadApiKeys(path), 'key-of-account-a-0001')).toBeUndefined();
  });

  it.each([
    [{ keys: [{ id: 'a', account_id: 'acct', scopes: ['ingest'], key: 'long-enough-key-0000' }] }, /in clear/],
    [{ keys: [{ id: 'a', account_id: 'acct', scopes: ['write'], key_sha256: digestOf('x') }] }, /scopes/],
    [{ keys: [{ id: 'a', account_id: 'bad account', scopes: ['read'], key_sha256: digestOf('x') }] }, /account_id/],
    [{ keys: [{ id: 'a', account_id: 'acct', scopes: ['read'], key_sha256: 'ABC' }] }, /key_sha256/],
    [{ keys: [{ id: 'a', account_id: 'acct', scopes: ['read'], key_sha256: digestOf('x'), revoked_at: 'yesterday' }] }, /revoked_at/],
    [
      {
        keys: [
          { id: 'a', account_id: 'acct', scopes: ['read'], key_sha256: digestOf('x') },
          { id: 'a', account_id: 'acct', scopes: ['ingest'], key_sha256: digestOf('y') },
        ],
      },
      /twice/,
    ],
    [{ nokeys: [] }, /must contain/],
  ])('rejects an invalid file %#', (content, message) => {
    expect(() => loadApiKeys(writeKeys(content))).toThrow(ConfigError);
    expect(() => loadApiKeys(writeKeys(content))).toThrow(message);
  });

  it('accepts the development keys file', () => {
    const keys = loadApiKeys(join(__dirname, '..', '..', '..', 'config', 'api-keys.dev.json'));
    expect(findApiKey(keys, 'gak_read_demo_7d2e9a4c1f6b3e8a')?.accountId).toBe('acct_demo');
    expect(findApiKey(keys, 'gak_read_other_9e1b6d3a8c4f2e7b')?.accountId).toBe('acct_other');
  });
});

describe('key file commands', () => {
  it('creates a key that only its digest represents', () => {
    const path = keysPath();
    const key = createApiKey(path, { id: 'dash', accountId: 'acct_a', scopes: ['read', 'read'] });
    expect(key).toMatch(/^gak_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(path, 'utf8')).not.toContain(key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(findApiKey(loadApiKeys(path), key)).toMatchObject({ id: 'dash', accountId: 'acct_a', scopes: ['read'] });
  });

  it('lists keys without digests', () => {
    const path = keysPath();
    createApiKey(path, { id: 'dash', accountId: 'acct_a', scopes: ['read'] });
    const listed = listApiKeys(path);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: 'dash', account_id: 'acct_a', scopes: ['read'] });
    expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('revokes a key', () => {
    const path = keysPath();
    const key = createApiKey(path, { id: 'dash', accountId: 'acct_a', scopes: ['read'] });
    expect(revokeApiKey(path, 'dash').revoked_at).toBeDefined();
    expect(findApiKey(loadApiKeys(path), key)).toBeUndefined();
    expect(() => revokeApiKey(path, 'missing')).toThrow(/no key with id missing/);
  });

  it.each([
    [{ id: 'dash', accountId: 'acct_a', scopes: ['write'] }, /scopes/],
    [{ id: 'dash', accountId: 'acct a', scopes: ['read'] }, /account_id/],
    [{ id: 'has space', accountId: 'acct_a', scopes: ['read'] }, /id must be/],
  ])('rejects an invalid new key %#', (request, message) => {
    expect(() => createApiKey(keysPath(), request)).toThrow(message);
  });

  it('rejects a duplicate key id', () => {
    const path = keysPath();
    createApiKey(path, { id: 'dash', accountId: 'acct_a', scopes: ['read'] });
    expect(() => createApiKey(path, { id: 'dash', accountId: 'acct_b', scopes: ['read'] })).toThrow(/already exists/);
  });
});

describe('ApiKeyStore', () => {
  it('picks up a revocation on reload', () => {
    const path = keysPath();
    const key = createApiKey(path, { id: 'dash', accountId: 'acct_a', scopes: ['read'] });
    const store = new ApiKeyStore(path);
    expect(store.find(key)?.id).toBe('dash');

    revokeApiKey(path, 'dash');
    expect(store.reloadIfChanged()).toBe(true);
    expect(store.find(key)).toBeUndefined();
    expect(store.reloadIfChanged()).toBe(false);
  });

  it('keeps the previous keys when the file becomes invalid', () => {
    const path = keysPath();
    const key = createApiKey(path, { id: 'dash', accountId: 'acct_a', scopes: ['read'] });
    const errors: string[] = [];
    const store = new ApiKeyStore(path, { info: () => undefined, error: (message) => errors.push(message) });

    writeFileSync(path, '{"keys": [');
    expect(store.reloadIfChanged()).toBe(false);
    expect(store.find(key)?.id).toBe('dash');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(path);
    expect(errors[0]).not.toContain(key);
  });

  it('polls the file when watching', async () => {
    const path = keysPath();
    createApiKey(path, { id: 'first', accountId: 'acct_a', scopes: ['read'] });
    const store = new ApiKeyStore(path).watch(20);
    try {
      const key = createApiKey(path, { id: 'second', accountId: 'acct_a', scopes: ['read'] });
      const deadline = Date.now() + 2000;
      while (store.find(key) === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(store.find(key)?.id).toBe('second');
    } finally {
      store.stop();
    }
  });

  it('fails at start on an invalid file', () => {
    expect(() => new ApiKeyStore(writeKeys({ keys: 'none' }))).toThrow(ConfigError);
  });
});
