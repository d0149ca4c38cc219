import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const STACK_SCRIPT = join(__dirname, '..', '..', 'scripts', 'stack.sh');

export type StackCommand = 'stop-clickhouse' | 'start-clickhouse' | 'stop-kafka' | 'start-kafka';

/**
 * Runs scripts/stack.sh on the local services. The start commands return once the service
 * answers. Fault tests stop the shared Kafka or ClickHouse; jest runs them one file at a time
 * (--runInBand), and each restarts the service in afterAll.
 */
export async function stack(command: StackCommand): Promise<void> {
  await run('bash', [STACK_SCRIPT, command], { timeout: 180_000, maxBuffer: 4 * 1024 * 1024 });
}
