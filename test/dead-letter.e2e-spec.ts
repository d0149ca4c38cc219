import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { EventType, partitionKey } from '@gallery/contract';
import { eventually, exampleEvent, getJson, uniqueCollection } from './support/api';
import { KEYS, readTestRun } from './support/test-env';

interface DeadLetterSeen {
  value: string;
  reason: string;
  sourceOffset: string;
}

describe('consumer dead letters', () => {
  const run = readTestRun();
  const kafka = new Kafka({ clientId: 'e2e-dlq', brokers: run.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });

  it('sets poison messages aside and stores the events after them', async () => {
    const collection = uniqueCollection('poison');
    const key = partitionKey('acct_demo', collection);
    const notJson = `not json ${collection}`;
    const breaksContract = JSON.stringify({
      account_id: 'acct_demo',
      received_at: new Date().toISOString(),
      event: exampleEvent(EventType.PhotoDownloaded, collection, { status: 'teleported' }),
    });
    const valid = exampleEvent(EventType.PhotoDownloaded, collection);
    const validEnvelope = JSON.stringify({ account_id: 'acct_demo', received_at: new Date().toISOString(), event: valid });

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: run.env.KAFKA_TOPIC,
      acks: -1,
      messages: [
        { key, value: notJson },
        { key, value: breaksContract },
        { key, value: validEnvelope },
      ],
    });
    await producer.disconnect();

    const stored = await eventually('the valid event after the poison messages', async () => {
      const response = await getJson(`/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
      return response.body.data.totals.downloads === 1 ? response : undefined;
    });
    expect(stored.body.data.downloads[0].event_id).toBe(valid.event_id);

    const seen: DeadLetterSeen[] = [];
    const consumer = kafka.consumer({ groupId: `e2e-dlq-reader-${collection}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${run.env.KAFKA_TOPIC}.dlq`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== key) return;
        seen.push({
          value: message.value?.toString() ?? '',
          reason: message.headers?.dlq_reason?.toString() ?? '',
          sourceOffset: message.headers?.dlq_source_offset?.toString() ?? '',
        });
      },
    });
    await eventually('both dead letters', async () => (seen.length >= 2 ? true : undefined));
    await consumer.disconnect();

    expect(seen).toHaveLength(2);
    expect(seen[0].value).toBe(notJson);
    expect(seen[0].reason).toMatch(/^value is not JSON/);
    expect(seen[1].value).toBe(breaksContract);
    expect(seen[1].reason).toMatch(/event\.status must be one of the following values/);
    expect(Number(seen[1].sourceOffset)).toBe(Number(seen[0].sourceOffset) + 1);
  });
});
