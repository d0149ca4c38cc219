/** Shared parts of the rebuild commands: the consumer check, arguments, progress lines and erasures. */
import { Kafka } from 'kafkajs';
import { ClientErasure, erasureTopic } from '@gallery/clickhouse';

/**
 * Fails unless the consumer group has no members. The rebuilds swap tables that the consumer
 * writes to, and rows it inserted meanwhile would be lost in the replaced tables.
 */
export async function requireConsumerStopped(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members.length ?? 0;
    if (members > 0) {
      throw new Error(
        `consumer group ${groupId} has ${members} active member(s); stop the consumer app first (it catches up from Kafka when started again), or pass --skip-consumer-check if you know it is stopped`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

export interface RebuildArguments {
  keepOld: boolean;
  skipConsumerCheck: boolean;
  help: boolean;
}

export function parseRebuildArguments(argv: readonly string[]): RebuildArguments {
  const parsed: RebuildArguments = { keepOld: false, skipConsumerCheck: false, help: false };
  for (const argument of argv) {
    if (argument === '--keep-old') parsed.keepOld = true;
    else if (argument === '--skip-consumer-check') parsed.skipConsumerCheck = true;
    else if (argument === '--help' || argument === '-h') parsed.help = true;
    else throw new Error(`unknown argument ${argument}; see --help`);
  }
  return parsed;
}

export const COMMON_HELP = `Options:
  --keep-old             keep the replaced tables, renamed to <name>__old_<stamp>, instead of dropping them
  --skip-consumer-check  do not check that the consumer group has no members
  --help                 print this text

Settings come from the same environment variables as the apps (KAFKA_BROKERS, KAFKA_TOPIC,
KAFKA_CONSUMER_GROUP, CLICKHOUSE_URL, CLICKHOUSE_DATABASE, ...). Stop the consumer app first.
`;

/** Writes a progress line to stderr. */
export function progress(text: string): void {
  process.stderr.write(`${new Date().toISOString()} ${text}\n`);
}

/**
 * Reads every erasure request recorded in the erasure topic next to `eventTopic`, from the
 * beginning to the end offsets at call time. A missing topic means no erasure was ever requested.
 */
export async function readClientErasures(kafka: Kafka, eventTopic: string): Promise<ClientErasure[]> {
  const topic = erasureTopic(eventTopic);
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((offsets) => [offsets.partition, Number(offsets.high)]));
  } finally {
    await admin.disconnect();
  }
  if ([...ends.values()].every((end) => end === 0)) return [];

  const erasures: ClientErasure[] = [];
  const consumer = kafka.consumer({ groupId: `gallery-read-erasures-${Date.now().toString(36)}`, allowAutoTopicCreation: false });
  const done = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition) ?? 0;
            if (Number(message.offset) < end && message.value) {
              const record = JSON.parse(message.value.toString('utf8')) as ClientErasure;
              if (typeof record.account_id === 'string' && typeof record.client_id === 'string') erasures.push(record);
              else progress(`skipping an erasure record without account_id and client_id at ${topic}/${partition}@${message.offset}`);
            }
            if (Number(message.offset) + 1 >= end) done.add(partition);
            if ([...ends].every(([id, last]) => last === 0 || done.has(id))) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return erasures;
}
