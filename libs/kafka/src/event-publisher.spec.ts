import { EVENT_EXAMPLES, EventEnvelope, EventType, partitionKey } from '@gallery/contract';
import { MAX_MESSAGE_EVENT_BYTES, partitionOf, toMessages } from './event-publisher';

function envelope(collectionId: string, eventId: string, receivedAt = '2026-06-14T18:22:06.000Z'): EventEnvelope {
  const event = { ...EVENT_EXAMPLES[EventType.PhotoDownloaded], event_id: eventId, collection_id: collectionId };
  return { account_id: 'acct_demo', received_at: receivedAt, event } as EventEnvelope;
}

describe('toMessages', () => {
  const envelopes = Array.from({ length: 400 }, (_, index) => envelope(`col-${index % 37}`, `id-${index}`));

  it('keeps events in their key partition', () => {
    const messages = toMessages(envelopes, 6);
    expect(new Set(messages.map((message) => message.partition)).size).toBe(messages.length);
    const seen: string[] = [];
    for (const message of messages) {
      const value = JSON.parse(message.value as string) as { account_id: string; received_at: string; events: Array<{ event_id: string; collection_id: string }> };
      expect(value.account_id).toBe('acct_demo');
      expect(value.received_at).toBe('2026-06-14T18:22:06.000Z');
      for (const event of value.events) {
        expect(partitionOf(partitionKey('acct_demo', event.collection_id), 6)).toBe(message.partition);
        seen.push(event.event_id);
      }
      expect(partitionOf(message.key as string, 6)).toBe(message.partition);
    }
    expect(seen.sort()).toEqual(envelopes.map((item) => item.event.event_id).sort());
    // Within a partition the events keep the order in which they were posted.
    for (const message of messages) {
      const ids = (JSON.parse(message.value as string) as { events: Array<{ event_id: string }> }).events.map((event) => Number(event.event_id.slice(3)));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
  });

  it('matches the murmur2 partitioner', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string) => number;
    for (let index = 0; index < 200; index++) {
      const key = `acct_demo/col-${index}`;
      expect(partitionOf(key, 6)).toBe((murmur2(key) & 0x7fffffff) % 6);
      expect(partitionOf(key, 1)).toBe(0);
    }
  });

  it('splits a partition into messages of bounded size', () => {
    const big = Array.from({ length: 2000 }, (_, index) => envelope('one-collection', `id-${index}`));
    const messages = toMessages(big, 6);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(Buffer.byteLength(message.value as string)).toBeLessThan(MAX_MESSAGE_EVENT_BYTES + 200);
    const count = messages.reduce((sum, message) => sum + (JSON.parse(message.value as string) as { events: unknown[] }).events.length, 0);
    expect(count).toBe(2000);
  });

  it('keeps accounts and receive times apart', () => {
    const mixed = [envelope('c', 'a', '2026-06-14T18:22:06.000Z'), envelope('c', 'b', '2026-06-14T18:22:07.000Z')];
    const messages = toMessages(mixed, 1);
    expect(messages).toHaveLength(2);
  });
});
