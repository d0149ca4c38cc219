import { existsSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { readTestRun, TEST_RUN_FILE } from './support/test-env';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the apps the run started (SIGTERM, then SIGKILL), then deletes the run's topics and
 * ClickHouse database unless E2E_KEEP_DATA=1.
 */
export default async function globalTeardown(): Promise<void> {
  if (!existsSync(TEST_RUN_FILE)) return;
  const run = readTestRun();

  for (const pid of run.pids) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (run.pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const pid of run.pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');

  if (process.env.E2E_KEEP_DATA !== '1') {
    const admin = new Kafka({ clientId: 'e2e-teardown', brokers: run.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: [run.env.KAFKA_TOPIC, `${run.env.KAFKA_TOPIC}.dlq`] }))
      .catch((error: unknown) => console.warn(`could not delete the run's topics: ${String(error)}`))
      .finally(() => admin.disconnect());

    const query = `DROP DATABASE IF EXISTS ${run.env.CLICKHOUSE_DATABASE}`;
    await fetch(`${run.env.CLICKHOUSE_URL}/`, { method: 'POST', body: query }).catch((error: unknown) => {
      console.warn(`could not drop ${run.env.CLICKHOUSE_DATABASE}: ${String(error)}`);
    });
  }
}
