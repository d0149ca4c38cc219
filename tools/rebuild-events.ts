/**
 * Rebuilds the raw `events` table from the Kafka topic. A fresh consumer group reads every
 * partition from its first retained offset to the end offset found at start. The events go
 * through the consumer's own validation and duplicate rules into a new table, which is swapped in
 * with RENAME before the projections are rebuilt. Run it with the consumer stopped.
 */
import { Logger } from '@nestjs/common';
import { loadAppConfig } from '@gallery/config';
import { applyClientErasures, ClickHouseService, ClientIpPolicy, identifier } from '@gallery/clickhouse';
import { createKafka, MessageSigner } from '@gallery/kafka';
import { BatchWriterService } from '../apps/consumer/src/batch-writer.service';
import { DeadLetterPublisher } from '../apps/consumer/src/dead-letter.publisher';
import { toBatchMessage } from '../apps/consumer/src/partition-batch';
import { discoverProjections, rebuildProjections, recreateViews } from '../libs/clickhouse/src/rebuild-projections';
import { COMMON_HELP, parseRebuildArguments, progress, requireConsumerStopped, readClientErasures } from './rebuild-support';

const HELP = `Usage: node dist/tools/rebuild-events.js [options]

Reads the event topic from the beginning up to its current end with a new consumer group, writes
the events into events__rebuild as the consumer would (invalid messages are skipped: they are in
the dead-letter topic already; repeated event ids are stored once), swaps it in for events, and
rebuilds every projection. This relies on the topic keeping every message; with a retention
limit, events older than the retained offsets would be lost.

${COMMON_HELP}`;

const PROGRESS_INTERVAL_MS = 2_000;

async function main(argv: string[]): Promise<number> {
  const args = parseRebuildArguments(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadAppConfig();
  const topic = config.kafka.topic;
  const kafka = createKafka(config.kafka, 'rebuild-events');
  if (!args.skipConsumerCheck) await requireConsumerStopped(kafka, config.kafka.consumerGroup);

  const clickhouse = new ClickHouseService(config.clickhouse);
  try {
    const started = Date.now();
    const fresh = 'events__rebuild';
    await clickhouse.command(`DROP TABLE IF EXISTS ${identifier(fresh)}`);
    await clickhouse.command(`CREATE TABLE ${identifier(fresh)} AS events`);

    await copyTopic(kafka, clickhouse, topic, fresh, { mode: config.privacy.clientIpMode, hashKey: config.privacy.clientIpHashKey }, new MessageSigner(config.kafka.signingKeys));

    // Erasures are applied before the swap, so erased personal data never becomes visible again.
    const erasures = await readClientErasures(kafka, topic);
    if (erasures.length > 0) {
      progress(`applying ${erasures.length} client erasure(s) to ${fresh}`);
      await applyClientErasures(clickhouse, erasures, 120_000, fresh);
    }

    // The views are read before the swap, because recreating them needs their CREATE statements.
    const projections = await discoverProjections(clickhouse);
    const old = `events__old_${Date.now().toString(36)}`;
    await clickhouse.command(`RENAME TABLE events TO ${identifier(old)}, ${identifier(fresh)} TO events`);
    await recreateViews(clickhouse, projections);
    progress(`swapped the rebuilt table in for events; the previous one is ${old}`);

    const result = await rebuildProjections(clickhouse, {
      keepOld: args.keepOld,
      onProgress: ({ projection, chunk, chunks, month }) => progress(`${projection.target}: month ${month} (${chunk}/${chunks})`),
    });
    if (!args.keepOld) await clickhouse.command(`DROP TABLE IF EXISTS ${identifier(old)}`);
    progress(`rebuilt events and ${result.projections.length} projection(s) in ${Date.now() - started} ms`);
    return 0;
  } finally {
    await clickhouse.client.close();
  }
}

/** Copies every message up to the end offsets read at start into `table`, partition batch by partition batch. */
async function copyTopic(
  kafka: ReturnType<typeof createKafka>,
  clickhouse: ClickHouseService,
  topic: string,
  table: string,
  ipPolicy: ClientIpPolicy,
  signer: MessageSigner,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  let total = 0;
  for (const offsets of await admin.fetchTopicOffsets(topic)) {
    ends.set(offsets.partition, Number(offsets.high));
    total += Number(offsets.high) - Number(offsets.low);
  }
  const positions = new Map<number, number>();
  for (const offsets of await admin.fetchTopicOffsets(topic)) positions.set(offsets.partition, Number(offsets.low));

  const writer = new BatchWriterService(clickhouse, new DeadLetterPublisher(kafka, `${topic}.dlq`), { kind: 'none' }, ipPolicy, signer);
  const groupId = `gallery-rebuild-events-${Date.now().toString(36)}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024 });
  let copied = 0;
  let inserted = 0;
  const isDone = () => [...ends].every(([partition, end]) => (positions.get(partition) ?? 0) >= end);

  progress(`copying ${total} message(s) of ${topic} into ${table}`);
  const timer = setInterval(() => progress(`${copied}/${total} message(s) read (${total ? Math.floor((100 * copied) / total) : 100}%), ${inserted} event(s) stored`), PROGRESS_INTERVAL_MS);
  try {
    if (!isDone()) {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition) ?? 0;
          const messages = batch.messages
            .filter((message) => Number(message.offset) < end)
            .map(toBatchMessage);
          if (messages.length > 0) {
            const outcome = await writer.write({ topic, partition: batch.partition, messages }, { table, publishDeadLetters: false, group: false });
            inserted += outcome.inserted;
            copied += messages.length;
            positions.set(batch.partition, messages[messages.length - 1].offset + 1);
          }
          if (Number(batch.lastOffset()) + 1 >= end) positions.set(batch.partition, Math.max(positions.get(batch.partition) ?? 0, end));
          if (isDone()) finish();
        },
      });
      await finished;
    }
  } finally {
    clearInterval(timer);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch((error: unknown) => progress(`could not delete the consumer group ${groupId}: ${String(error)}`));
    await admin.disconnect();
  }
  progress(`${copied}/${total} message(s) read, ${inserted} event(s) stored in ${table}`);
}

Logger.overrideLogger(['error', 'warn']);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rebuild-events failed: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
