import { consumerConfig, MAX_BYTES_PER_DELIVERY, MAX_MESSAGES_PER_DELIVERY, splitForDelivery } from './kafka-batch.transport';

describe('splitForDelivery', () => {
  const messages = (count: number, size: number) => Array.from({ length: count }, (_, offset) => ({ offset, key: null, value: Buffer.alloc(size) }));

  it('limits the messages of one delivery and keeps their order', () => {
    const parts = splitForDelivery(messages(MAX_MESSAGES_PER_DELIVERY * 2 + 3, 10));
    expect(parts.map((part) => part.length)).toEqual([MAX_MESSAGES_PER_DELIVERY, MAX_MESSAGES_PER_DELIVERY, 3]);
    expect(parts.flat().map((message) => message.offset)).toEqual(Array.from({ length: MAX_MESSAGES_PER_DELIVERY * 2 + 3 }, (_, offset) => offset));
  });

  it('limits the bytes of one delivery, but never splits below one message', () => {
    const parts = splitForDelivery(messages(9, MAX_BYTES_PER_DELIVERY / 4));
    expect(parts.map((part) => part.length)).toEqual([4, 4, 1]);
    expect(splitForDelivery(messages(2, MAX_BYTES_PER_DELIVERY * 2)).map((part) => part.length)).toEqual([1, 1]);
  });
});

describe('consumerConfig', () => {
  // The broker counts a partition's waiting bytes only up to the per-partition limit, so a larger
  // minimum would make the fetches of a backlog left in one partition wait the full time.
  it.each([64 * 1024, 1024 * 1024, 16 * 1024 * 1024])('minBytes within one partition (%i bytes)', (maxBytesPerPartition) => {
    const config = consumerConfig({ groupId: 'g', maxBytesPerPartition });
    expect(config.minBytes).toBeLessThanOrEqual(maxBytesPerPartition);
    expect(config.minBytes).toBeLessThanOrEqual(config.maxBytes as number);
    expect(config.minBytes).toBeGreaterThan(0);
  });
});
