import { parseConsumerFault } from './consumer-fault';

describe('parseConsumerFault', () => {
  it('returns none when unset', () => {
    expect(parseConsumerFault(undefined)).toEqual({ kind: 'none' });
    expect(parseConsumerFault('')).toEqual({ kind: 'none' });
  });

  it('parses exit-after-insert with its count', () => {
    expect(parseConsumerFault('exit-after-insert:3')).toEqual({ kind: 'exit-after-insert', afterInserts: 3 });
  });

  it('parses drop-commits', () => {
    expect(parseConsumerFault('drop-commits')).toEqual({ kind: 'drop-commits' });
  });

  it.each(['exit-after-insert:0', 'exit-after-insert', 'crash', 'drop-commits:1'])('rejects %s', (value) => {
    expect(() => parseConsumerFault(value)).toThrow(/CONSUMER_FAULT must be/);
  });
});
