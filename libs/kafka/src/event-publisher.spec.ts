import { EVENT_EXAMPLES, EventEnvelope, EventType, partitionKey } from '@gallery/contract';
import { Partitioners } from 'kafkajs';
import { MAX_MESSAGE_EVENT_BYTES, murmur2, partitionOf, toMessages } from './event-publisher';
import { MessageSigner, SIGNATURE_HEADER } from './message-signature';

function envelope(collectionId: string, eventId: string, receivedAt = '2026-06-14T18:22:06.000Z'): EventEnvelope {
  const event = { ...EVENT_EXAMPLES[EventType.PhotoDownloaded], event_id: eventId, collection_id: collectionId };
  return { account_id: 'acct_demo', received_at: receivedAt, event } as EventEnvelope;
}

describe('toMessages', () => {
  const envelopes = Array.from({ length: 400 }, (_, index) => envelope(`col-${index % 37}`, `id-${index}`));

  it('keeps events in their key partition', () => {
    const { messages, bytes } = toMessages(envelopes, 6);
    expect(bytes).toBe(messages.reduce((sum, message) => sum + (message.value as Buffer).length, 0));
    expect(new Set(messages.map((message) => message.partition)).size).toBe(messages.length);
    const seen: string[] = [];
    for (const message of messages) {
      const value = JSON.parse((message.value as Buffer).toString('utf8')) as { account_id: string; received_at: string; events: Array<{ event_id: string; collection_id: string }> };
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
      const ids = (JSON.parse((message.value as Buffer).toString('utf8')) as { events: Array<{ event_id: string }> }).events.map((event) => Number(event.event_id.slice(3)));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
  });

  it('matches kafkajs partitioning on any key', () => {
    // Keys of every length up to 40, in ASCII, Latin-1, CJK, emoji and NUL characters.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string) => number;
    const partitioner = Partitioners.DefaultPartitioner();
    const metadata = (count: number) => Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0 }));
    const alphabet = 'abcXYZ019_-/é写📷\u0000';
    let seed = 7;
    const random = (max: number) => (seed = (seed * 48271) % 2147483647) % max;
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'acct_demo/col-0', ...Array.from({ length: 3000 }, () => Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]).join(''))];
    for (const key of keys) {
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      for (const count of [1, 6, 12, 7]) {
        expect(partitionOf(key, count)).toBe(partitioner({ topic: 't', partitionMetadata: metadata(count) as never, message: { key, value: null } }));
      }
    }
  });

  it('splits a partition into messages of bounded size', () => {
    const big = Array.from({ length: 2000 }, (_, index) => envelope('one-collection', `id-${index}`));
    const { messages } = toMessages(big, 6);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect((message.value as Buffer).length).toBeLessThan(MAX_MESSAGE_EVENT_BYTES + 200);
    const count = messages.reduce((sum, message) => sum + (JSON.parse((message.value as Buffer).toString('utf8')) as { events: unknown[] }).events.length, 0);
    expect(count).toBe(2000);
  });

  it('encodes values as UTF-8 and counts their bytes', () => {
    const named = envelope('c', 'a');
    const event = { ...named.event, photo: { ...(named.event as { photo: object }).photo, file_name: 'mariée-写真-📷.jpg' } };
    const { messages, bytes } = toMessages([{ ...named, event } as EventEnvelope], 1);
    const value = messages[0].value as Buffer;
    expect(bytes).toBe(value.length);
    expect(value.length).toBeGreaterThan(value.toString('utf8').length);
    expect((JSON.parse(value.toString('utf8')) as { events: Array<{ photo: { file_name: string } }> }).events[0].photo.file_name).toBe('mariée-写真-📷.jpg');
  });

  it('keeps accounts and receive times apart', () => {
    const mixed = [envelope('c', 'a', '2026-06-14T18:22:06.000Z'), envelope('c', 'b', '2026-06-14T18:22:07.000Z')];
    const { messages } = toMessages(mixed, 1);
    expect(messages).toHaveLength(2);
  });

  it('signs messages only with a key', () => {
    const signer = new MessageSigner(['k'.repeat(32)]);
    const { messages } = toMessages(envelopes, 6, signer);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      const header = message.headers?.[SIGNATURE_HEADER] as string;
      expect(signer.check(message.value as Buffer, header)).toBe('valid');
    }
    expect(toMessages(envelopes, 6, new MessageSigner([])).messages.every((message) => message.headers === undefined)).toBe(true);
    expect(toMessages(envelopes, 6).messages.every((message) => message.headers === undefined)).toBe(true);
  });
});
