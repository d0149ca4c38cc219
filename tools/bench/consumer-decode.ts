import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { constants, PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { ClickHouseService, JsonLines } from '@gallery/clickhouse';
import { EventEnvelope } from '@gallery/contract';
import { MessageSigner, SIGNATURE_HEADER, toMessages } from '@gallery/kafka';
import { BatchWriterService } from '../../apps/consumer/src/batch-writer.service';
import { DeadLetterPublisher } from '../../apps/consumer/src/dead-letter.publisher';
import { BatchMessage } from '../../apps/consumer/src/partition-batch';
import { Workload } from './workload';

/**
 * Measures the consumer's own work per event, without Kafka or ClickHouse: `BatchWriterService`
 * decodes groups of the benchmark's events, checks their signatures, builds the row lines and hands
 * them to a stand-in for ClickHouse that only reads them. The messages are encoded as ingest
 * encodes them: requests of 500 events, each split by partition. Run with `npm run bench:consumer`,
 * which starts Node with the consumer's options; `BENCH_CONSUMER_SIGNED=0` sends the messages
 * unsigned, so every event is validated again.
 */

const EVENTS = Number(process.env.BENCH_CONSUMER_EVENTS ?? 720_000);
const GROUP_EVENTS = 12_000;
/**
 * Distinct groups prepared; the run decodes them again and again up to EVENTS. Holding every
 * message of 720,000 events would take about 330 MB of buffers, which changes how V8 collects.
 */
const DISTINCT_GROUPS = 12;
const REQUEST_EVENTS = 500;
const PARTITIONS = 6;
const signed = process.env.BENCH_CONSUMER_SIGNED !== '0';

/** Stands in for ClickHouse: finds no stored event, and reads every inserted byte. */
class DiscardingClickHouse {
  bytes = 0;

  async query(): Promise<never[]> {
    return [];
  }

  async queryWithTable(): Promise<never[]> {
    return [];
  }

  async insertJsonLines(_table: string, lines: JsonLines, keep?: (index: number) => boolean): Promise<void> {
    for (const view of lines.views(keep)) this.bytes += view.length;
  }
}

/** Builds the partition batches of each group, as the transport would hand them to the writer. */
function prepareGroups(signer: MessageSigner): BatchMessage[][][] {
  const workload = new Workload();
  const groups: BatchMessage[][][] = [];
  let offset = 0;
  for (let group = 0; group < DISTINCT_GROUPS; group++) {
    const partitions: BatchMessage[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let request = 0; request < GROUP_EVENTS / REQUEST_EVENTS; request++) {
      // The events of one request share their account and receive time, as ingest gives them.
      const first = workload.nextEnvelope();
      const envelopes: EventEnvelope[] = [first];
      while (envelopes.length < REQUEST_EVENTS) envelopes.push({ ...workload.nextEnvelope(), account_id: first.account_id, received_at: first.received_at });
      for (const message of toMessages(envelopes, PARTITIONS, signed ? signer : undefined).messages) {
        const value = message.value as Buffer;
        partitions[message.partition as number].push({ offset: offset++, key: message.key as string, value, signature: message.headers?.[SIGNATURE_HEADER] as string | undefined });
      }
    }
    groups.push(partitions.filter((messages) => messages.length > 0));
  }
  return groups;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const signer = new MessageSigner([randomBytes(32).toString('hex')]);
  const groups = prepareGroups(signer);
  const clickhouse = new DiscardingClickHouse();
  const writer = new BatchWriterService(clickhouse as unknown as ClickHouseService, {} as DeadLetterPublisher, { kind: 'none' }, undefined, signer);

  const pauses = { minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 } };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      let kind: { count: number; ms: number } | undefined;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) kind = pauses.major;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) kind = pauses.minor;
      if (!kind) continue;
      kind.count++;
      kind.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  const cpu = process.cpuUsage();
  const started = performance.now();
  let decoded = 0;
  for (let index = 0; index * GROUP_EVENTS < EVENTS; index++) {
    const partitions = groups[index % groups.length];
    const outcomes = await Promise.all(partitions.map((messages, partition) => writer.write({ topic: 'bench.consumer', partition, messages })));
    for (const outcome of outcomes) {
      if (outcome.deadLettered > 0) throw new Error(`group ${index}: ${outcome.deadLettered} generated message(s) were dead-lettered`);
      decoded += outcome.inserted + outcome.duplicates;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  observer.disconnect();

  const perEvent = (value: number) => (value / decoded).toFixed(2);
  console.log(`${decoded} events in groups of ${GROUP_EVENTS} (${groups.length} distinct), messages ${signed ? 'signed' : 'unsigned'}, ${(clickhouse.bytes / decoded).toFixed(0)} bytes per row line`);
  console.log(`CPU: ${perEvent(used.user + used.system)} µs per event (all threads); wall: ${perEvent(seconds * 1e6)} µs per event`);
  console.log(`garbage collection: ${pauses.minor.count} scavenges pausing ${pauses.minor.ms.toFixed(0)} ms, ${pauses.major.count} full collections pausing ${pauses.major.ms.toFixed(0)} ms`);
  console.log(`Node options: ${process.execArgv.join(' ') || '(none)'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
