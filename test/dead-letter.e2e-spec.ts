import { IHeaders, Kafka, logLevel, Partitioners } from 'kafkajs';
import { EventType, partitionKey } from '@gallery/contract';
import { MessageSigner, SIGNATURE_HEADER } from '@gallery/kafka';
import { eventually, exampleEvent, getJson, metricValue, postEvents, uniqueCollection } from './support/api';
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

  /** Reads the messages of one key from a topic, from its start, until `count` of them arrived. */
  async function readByKey(topic: string, key: string, count: number): Promise<Array<{ value: Buffer; headers: IHeaders }>> {
    const seen: Array<{ value: Buffer; headers: IHeaders }> = [];
    const consumer = kafka.consumer({ groupId: `e2e-reader-${key.replace(/\W/g, '-')}-${topic.length}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === key && message.value) seen.push({ value: message.value, headers: message.headers ?? {} });
      },
    });
    await eventually(`${count} message(s) of ${key} in ${topic}`, async () => (seen.length >= count ? true : undefined));
    await consumer.disconnect();
    return seen;
  }

  const consumerMetrics = async () => (await fetch(`http://127.0.0.1:${run.env.CONSUMER_PORT}/metrics`)).text();

  it('validates a message in full when its signature does not match its value', async () => {
    const signer = new MessageSigner(run.env.EVENT_SIGNING_KEYS.split(','));
    expect(signer.enabled).toBe(true);
    const collection = uniqueCollection('signed');
    const key = partitionKey('acct_demo', collection);
    const before = await consumerMetrics();

    const posted = exampleEvent(EventType.PhotoDownloaded, collection);
    expect((await postEvents(posted, KEYS.ingest)).status).toBe(202);
    const [published] = await readByKey(run.env.KAFKA_TOPIC, key, 1);
    const signature = published.headers[SIGNATURE_HEADER] as Buffer;
    expect(signer.check(published.value, signature)).toBe('valid');

    // The signature ingest gave another value, on an event that breaks the contract.
    const forged = JSON.stringify({
      account_id: 'acct_demo',
      received_at: new Date().toISOString(),
      event: exampleEvent(EventType.PhotoDownloaded, collection, { status: 'teleported' }),
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: run.env.KAFKA_TOPIC, acks: -1, messages: [{ key, value: forged, headers: { [SIGNATURE_HEADER]: signature } }] });
    await producer.disconnect();

    const [letter] = await readByKey(`${run.env.KAFKA_TOPIC}.dlq`, key, 1);
    expect(letter.value.toString()).toBe(forged);
    expect(letter.headers.dlq_reason?.toString()).toMatch(/event\.status must be one of the following values/);
    const stored = await eventually('the posted event', async () => {
      const response = await getJson(`/api/v1/collections/${collection}/photo_downloads`, KEYS.read);
      return response.body.data.totals.downloads >= 1 ? response : undefined;
    });
    expect(stored.body.data.downloads.map((download: { event_id: string }) => download.event_id)).toEqual([posted.event_id]);

    const after = await consumerMetrics();
    const counted = (page: string, outcome: string) => metricValue(page, 'consumer_messages_by_signature_total', `signature="${outcome}"`);
    expect(counted(after, 'valid') - counted(before, 'valid')).toBeGreaterThanOrEqual(1);
    expect(counted(after, 'invalid') - counted(before, 'invalid')).toBe(1);
  });
});
