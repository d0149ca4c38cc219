import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventType } from '@gallery/contract';
import { exampleEvent, getJson, postEvents, uniqueCollection } from '../support/api';
import { KEYS, readTestRun } from '../support/test-env';

/** A well-formed key that is in no keys file. */
const UNKNOWN_KEY = 'gak_unknown_key_for_leak_test_4d7f1a9c';

describe('API keys in logs and responses', () => {
  it('never appear in either', async () => {
    const collection = uniqueCollection('leak');
    const bodies: string[] = [];
    const record = (value: unknown) => bodies.push(JSON.stringify(value));

    record((await postEvents(exampleEvent(EventType.PhotoDownloaded, collection), KEYS.ingest)).body);
    record((await postEvents({ events: [{ type: 'nonsense' }] }, KEYS.ingest)).body);
    record((await postEvents(exampleEvent(EventType.PhotoDownloaded, collection), UNKNOWN_KEY)).body);
    record((await postEvents(exampleEvent(EventType.PhotoDownloaded, collection), KEYS.read)).body);
    record((await getJson(`/api/v1/collections/${collection}/downloads`, KEYS.read)).body);
    record((await getJson(`/api/v1/collections/${collection}/downloads`, UNKNOWN_KEY)).body);
    record((await getJson(`/api/v1/collections/${collection}/downloads`, KEYS.ingest)).body);
    record((await getJson(`/api/v1/collections/${collection}/downloads?limit=0`, KEYS.read)).body);

    // Pino writes asynchronously; give the apps a moment to flush.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const logDir = readTestRun().logDir;
    const logs = readdirSync(logDir).map((name) => ({ name, text: readFileSync(join(logDir, name), 'utf8') }));
    expect(logs.length).toBeGreaterThanOrEqual(3);
    // The requests above are in the logs, so the search below looks at the right files.
    expect(logs.some((log) => log.text.includes(collection))).toBe(true);

    const secrets = [...Object.values(KEYS), UNKNOWN_KEY];
    const found: string[] = [];
    for (const secret of secrets) {
      const digest = createHash('sha256').update(secret).digest('hex');
      for (const log of logs) {
        if (log.text.includes(secret)) found.push(`${log.name} contains the key ${secret.slice(0, 8)}…`);
        if (log.text.includes(digest)) found.push(`${log.name} contains the SHA-256 of the key ${secret.slice(0, 8)}…`);
      }
      for (const body of bodies) if (body.includes(secret)) found.push(`a response body contains the key ${secret.slice(0, 8)}…`);
    }
    expect(found).toEqual([]);
  });
});
