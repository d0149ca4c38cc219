/** Shared parts of the rebuild commands: the consumer check, arguments and progress lines. */
import { Kafka } from 'kafkajs';

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
