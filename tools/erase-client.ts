/**
 * Erases one client's personal data (email, name, IP address, user agent) from ClickHouse. It first
 * appends the erasure to the Kafka topic `<KAFKA_TOPIC>.erasures`, so a rebuild from the event log
 * can apply it again, then runs the mutation and waits for it. Configuration comes from the same
 * environment variables as the apps.
 *
 *   node dist/tools/erase-client.js --account acct_demo --client-id c_8f14e45f
 */
import { parseArgs } from 'node:util';
import { applyClientErasures, ClickHouseService, ClientErasure, erasureTopic, sql } from '@gallery/clickhouse';
import { loadAppConfig } from '@gallery/config';
import { ID_PATTERN } from '@gallery/contract';
import { createKafka } from '@gallery/kafka';

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

async function publish(erasure: ClientErasure): Promise<void> {
  const config = loadAppConfig();
  const kafka = createKafka(config.kafka, 'erase-client');
  const topic = erasureTopic(config.kafka.topic);

  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      // One partition keeps every erasure in request order; retention must stay unlimited.
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] }] });
    }
  } finally {
    await admin.disconnect();
  }

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: `${erasure.account_id}:${erasure.client_id}`, value: JSON.stringify(erasure) }] });
  } finally {
    await producer.disconnect();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { account: { type: 'string' }, 'client-id': { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write('Usage: node dist/tools/erase-client.js --account <account id> --client-id <client id>\n');
    return 0;
  }
  const account = values.account ?? '';
  const clientId = values['client-id'] ?? '';
  if (!ACCOUNT_ID.test(account) || !ID_PATTERN.test(clientId)) {
    process.stderr.write('erase-client: --account (letters, digits, _ or -) and --client-id (1 to 256 printable ASCII characters) are required\n');
    return 2;
  }

  const erasure: ClientErasure = { account_id: account, client_id: clientId, requested_at: new Date().toISOString() };
  await publish(erasure);
  process.stderr.write(`recorded the erasure of client ${clientId} of account ${account} in Kafka\n`);

  const clickhouse = new ClickHouseService(loadAppConfig().clickhouse);
  try {
    const [before] = await clickhouse.query<{ rows: string }>(sql`SELECT count() AS rows FROM events WHERE account_id = ${account} AND client_id = ${clientId}`);
    await applyClientErasures(clickhouse, [erasure]);
    process.stdout.write(`erased the personal data of client ${clientId} of account ${account} in ${before.rows} event row(s)\n`);
  } finally {
    await clickhouse.onApplicationShutdown();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`erase-client failed: ${(error as Error).message}; running it again is safe\n`);
    process.exit(1);
  },
);
