import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { computePhotoDownloadsByCollection } from './access-log-oracle';
import { getJson, waitForConsumerCaughtUp } from './support/api';
import { KEYS, readTestRun } from './support/test-env';

const ROOT = join(__dirname, '..');
const SAMPLE_LOG = process.env.SAMPLE_LOG ?? join(ROOT, 'test', 'fixtures', 'access-log-sample.log');
const IMPORTER = join(ROOT, 'dist', 'tools', 'import-access-log.js');
const run = promisify(execFile);

async function importSample(): Promise<string> {
  const { ingestUrl } = readTestRun();
  const { stdout } = await run(process.execPath, [IMPORTER, '--url', ingestUrl, '--key', KEYS.ingest, '--no-progress', SAMPLE_LOG], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

async function photoTotals(collection: string): Promise<Record<string, unknown>> {
  const response = await getJson(`/api/v1/collections/${encodeURIComponent(collection)}/photo_downloads`, KEYS.read);
  expect(response.status).toBe(200);
  return response.body.data.totals;
}

describe('access log import', () => {
  beforeAll(() => {
    if (!existsSync(SAMPLE_LOG)) throw new Error(`sample access log not found at ${SAMPLE_LOG}; set SAMPLE_LOG to its path`);
  });

  it('matches counts computed from the file', async () => {
    const expected = computePhotoDownloadsByCollection(SAMPLE_LOG);
    expect(expected.size).toBeGreaterThan(5);

    const output = await importSample();
    const totalDownloads = [...expected.values()].reduce((sum, entry) => sum + entry.downloads, 0);
    expect(output).toMatch(new RegExp(`photo events\\s+${totalDownloads}\\b`));
    await waitForConsumerCaughtUp();

    for (const [collection, entry] of expected) {
      const totals = await photoTotals(collection);
      expect({ collection, ...totals }).toEqual(
        expect.objectContaining({
          collection,
          downloads: entry.downloads,
          bytes_transferred: entry.bytes,
          completed: entry.completed,
          partial: entry.partial,
          failed: entry.failed,
        }),
      );
    }
  });

  it('counts nothing twice when imported again', async () => {
    const expected = computePhotoDownloadsByCollection(SAMPLE_LOG);
    await importSample();
    await waitForConsumerCaughtUp();

    for (const [collection, entry] of expected) {
      const totals = await photoTotals(collection);
      expect({ collection, downloads: totals.downloads, bytes: totals.bytes_transferred }).toEqual({
        collection,
        downloads: entry.downloads,
        bytes: entry.bytes,
      });
    }
  });
});
