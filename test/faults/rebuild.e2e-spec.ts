import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EventType } from '@gallery/contract';
import { exampleEvent, uniqueCollection } from '../support/api';
import { collectionApiPaths, stableAnswer } from '../support/api-paths';
import { databaseSnapshot } from '../support/clickhouse';
import { mixedEvents } from '../support/fault-events';
import { OwnPipeline } from '../support/own-pipeline';
import { KEYS } from '../support/test-env';

const ROOT = join(__dirname, '..', '..');
const execFileAsync = promisify(execFile);

interface ToolResult {
  code: number;
  stderr: string;
}

/**
 * The projection rebuild and the events rebuild from Kafka must leave every table and every query
 * API response as it was, and the views must keep feeding the swapped-in tables afterwards.
 */
describe('rebuild tools', () => {
  let pipeline: OwnPipeline;
  const collections = [uniqueCollection('rebuild-a'), uniqueCollection('rebuild-b'), uniqueCollection('rebuild-c')];

  beforeAll(async () => {
    pipeline = await OwnPipeline.create('rebuild');
  });

  afterAll(async () => {
    await pipeline.dispose();
  });

  async function runTool(name: string): Promise<ToolResult> {
    try {
      const { stderr } = await execFileAsync(process.execPath, [join(ROOT, 'dist', 'tools', `${name}.js`)], {
        env: { ...process.env, ...pipeline.env },
        timeout: 120_000,
      });
      return { code: 0, stderr };
    } catch (error) {
      const failure = error as { code?: number; stderr?: string };
      return { code: typeof failure.code === 'number' ? failure.code : -1, stderr: failure.stderr ?? String(error) };
    }
  }

  async function apiAnswers(): Promise<Record<string, unknown>> {
    const answers: Record<string, unknown> = {};
    for (const collection of collections) {
      for (const path of collectionApiPaths(collection)) {
        const response = await pipeline.get('query', path, KEYS.read);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
        answers[path] = stableAnswer(response.body);
      }
    }
    return answers;
  }

  it('keeps tables and answers unchanged', async () => {
    await pipeline.start('consumer');
    await pipeline.start('ingest');
    await pipeline.start('query');
    const events = mixedEvents(collections, 60, 7);
    expect((await pipeline.post({ events }, KEYS.ingest)).status).toBe(202);
    expect((await pipeline.post({ events: events.slice(0, 15) }, KEYS.ingest)).status).toBe(202);
    expect((await pipeline.post({ events: mixedEvents(collections, 30, 8) }, KEYS.ingest)).status).toBe(202);
    await pipeline.waitCaughtUp();

    const refused = await runTool('rebuild-projections');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/active member/);

    const answersBefore = await apiAnswers();
    const tablesBefore = await databaseSnapshot(pipeline.database);
    expect(Object.keys(tablesBefore)).toEqual(expect.arrayContaining(['events', 'kafka_progress']));
    await pipeline.stop('consumer');

    const projections = await runTool('rebuild-projections');
    expect({ code: projections.code, stderr: projections.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/rebuilt \d+ projection/) });
    expect(await databaseSnapshot(pipeline.database)).toEqual(tablesBefore);
    expect(await apiAnswers()).toEqual(answersBefore);

    const eventsRebuild = await runTool('rebuild-events');
    expect({ code: eventsRebuild.code, stderr: eventsRebuild.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/rebuilt events and \d+ projection/) });
    expect(await databaseSnapshot(pipeline.database)).toEqual(tablesBefore);
    expect(await apiAnswers()).toEqual(answersBefore);

    // The recreated views feed the swapped-in tables: new events show up in the projections.
    await pipeline.start('consumer');
    const later = mixedEvents(collections.slice(0, 1), 10, 9);
    expect((await pipeline.post({ events: later }, KEYS.ingest)).status).toBe(202);
    await pipeline.waitCaughtUp();
    const tablesAfter = await databaseSnapshot(pipeline.database);
    for (const table of Object.keys(tablesBefore)) {
      expect({ table, grew: tablesAfter[table].length >= tablesBefore[table].length }).toEqual({ table, grew: true });
    }
    const photos = later.filter((event) => event.type === 'photo.downloaded').length;
    const path = collectionApiPaths(collections[0])[0];
    const before = answersBefore[path] as { data: { totals: { downloads: number } } };
    const after = await pipeline.get('query', path, KEYS.read);
    expect(after.body.data.totals.downloads).toBe(before.data.totals.downloads + photos);
  });

  it('keeps erased personal data erased', async () => {
    const collection = uniqueCollection('rebuild-erased');
    if (!pipeline.isRunning('consumer')) await pipeline.start('consumer');
    if (!pipeline.isRunning('ingest')) await pipeline.start('ingest');
    const download = exampleEvent(EventType.PhotoDownloaded, collection, {
      client: { id: 'client-to-erase', email: 'erase.me@example.com', name: 'Erase Me', user_agent: 'Mozilla/5.0 (Erase)' },
    });
    expect((await pipeline.post({ events: [download] }, KEYS.ingest)).status).toBe(202);
    await pipeline.waitCaughtUp();

    const erase = await execFileAsync(process.execPath, [join(ROOT, 'dist', 'tools', 'erase-client.js'), '--account', 'acct_demo', '--client-id', 'client-to-erase'], {
      env: { ...process.env, ...pipeline.env },
    });
    expect(erase.stdout).toContain('in 1 event row(s)');
    await pipeline.stop('consumer');

    const rebuilt = await runTool('rebuild-events');
    expect({ code: rebuilt.code, stderr: rebuilt.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/applying 1 client erasure/) });

    const rows = await pipeline.query<{ client_email: string; client_name: string; client_user_agent: string; payload: string }>(
      `SELECT client_email, client_name, client_user_agent, payload FROM events WHERE client_id = 'client-to-erase'`,
    );
    expect(rows).toHaveLength(1);
    expect([rows[0].client_email, rows[0].client_name, rows[0].client_user_agent]).toEqual(['', '', '']);
    expect(rows[0].payload).not.toContain('erase.me@example.com');
  });
});
