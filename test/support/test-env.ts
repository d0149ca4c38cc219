import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the end-to-end run keeps its settings, written by global-setup and read by the tests. */
export const TEST_RUN_FILE = join(__dirname, '..', '..', '.cache', 'e2e-run.json');

export interface TestRun {
  runId: string;
  ingestUrl: string;
  queryUrl: string;
  /** Environment the three apps were started with. */
  env: Record<string, string>;
  pids: number[];
  logDir: string;
}

export const KEYS = {
  ingest: 'gak_ingest_demo_3f9c1b7e5a2d4c8f',
  read: 'gak_read_demo_7d2e9a4c1f6b3e8a',
  otherIngest: 'gak_ingest_other_5c8a2f7d1e9b4a6c',
  otherRead: 'gak_read_other_9e1b6d3a8c4f2e7b',
} as const;

export function readTestRun(): TestRun {
  return JSON.parse(readFileSync(TEST_RUN_FILE, 'utf8')) as TestRun;
}
