import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findApiKey, hashApiKey, loadApiKeys } from './api-keys';
import { ConfigError } from './env';

function writeKeys(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('loadApiKeys', () => {
  it('loads clear and hashed keys and finds them', () => {
    const path = writeKeys({
      keys: [
        { id: 'a', account_id: 'acct_a', scopes: ['ingest'], key: 'key-of-account-a-0001' },
        { id: 'b', account_id: 'acct_b', scopes: ['read'], key_sha256: hashApiKey('key-of-account-b-0002').toString('hex') },
      ],
    });
    const keys = loadApiKeys(path);
    expect(findApiKey(keys, 'key-of-account-a-0001')?.accountId).toBe('acct_a');
    expect(findApiKey(keys, 'key-of-account-b-0002')?.accountId).toBe('acct_b');
    expect(findApiKey(keys, 'key-of-account-b-0003')).toBeUndefined();
    expect(findApiKey(keys, '')).toBeUndefined();
  });

  it.each([
    [{ keys: [{ id: 'a', account_id: 'acct', scopes: ['ingest'], key: 'short' }] }, /at least 16/],
    [{ keys: [{ id: 'a', account_id: 'acct', scopes: ['write'], key: 'long-enough-key-0000' }] }, /scopes/],
    [{ keys: [{ id: 'a', account_id: 'bad account', scopes: ['read'], key: 'long-enough-key-0000' }] }, /account_id/],
    [{ nokeys: [] }, /must contain/],
  ])('rejects an invalid file %#', (content, message) => {
    expect(() => loadApiKeys(writeKeys(content))).toThrow(ConfigError);
    expect(() => loadApiKeys(writeKeys(content))).toThrow(message);
  });
});
