import { EVENT_EXAMPLES, EventEnvelope, EventType } from '@gallery/contract';
import { protectClientIp, truncateIp } from './client-ip';
import { toEventRow } from './event-row';

describe('truncateIp', () => {
  it.each([
    ['192.0.2.77', '192.0.2.0'],
    ['10.0.0.1', '10.0.0.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['::ffff:203.0.113.9', '203.0.113.0'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['not an address', ''],
  ])('%s becomes %s', (address, expected) => {
    expect(truncateIp(address)).toBe(expected);
  });
});

describe('protectClientIp', () => {
  it('hashes with the key', () => {
    const first = protectClientIp('192.0.2.77', { mode: 'hash', hashKey: 'a-secret-of-16-chars' });
    expect(first).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(protectClientIp('192.0.2.77', { mode: 'hash', hashKey: 'a-secret-of-16-chars' })).toBe(first);
    expect(protectClientIp('192.0.2.77', { mode: 'hash', hashKey: 'another-secret-0000' })).not.toBe(first);
  });

  it('keeps, drops and rejects', () => {
    expect(protectClientIp('192.0.2.77', { mode: 'keep' })).toBe('192.0.2.77');
    expect(protectClientIp('192.0.2.77', { mode: 'drop' })).toBe('');
    expect(protectClientIp(undefined, { mode: 'keep' })).toBe('');
    expect(() => protectClientIp('192.0.2.77', { mode: 'hash' })).toThrow(/CLIENT_IP_HASH_KEY/);
  });
});

describe('toEventRow client address', () => {
  const envelope = (): EventEnvelope =>
    ({
      account_id: 'acct_a',
      received_at: '2026-06-16T08:00:00Z',
      event: { ...structuredClone(EVENT_EXAMPLES[EventType.PhotoDownloaded]), client: { id: 'c1', ip_address: '198.51.100.23' } },
    }) as unknown as EventEnvelope;
  const position = { topic: 't', partition: 0, offset: 1 };

  it('truncates by default in column and payload', () => {
    const source = envelope();
    const row = toEventRow(source, position);
    expect(row.client_ip).toBe('198.51.100.0');
    expect(row.payload).not.toContain('198.51.100.23');
    expect(JSON.parse(row.payload).client.ip_address).toBe('198.51.100.0');
    expect((source.event as unknown as { client: { ip_address: string } }).client.ip_address).toBe('198.51.100.23');
  });

  it('drops the address from the payload', () => {
    const source = envelope();
    const row = toEventRow(source, position, { mode: 'drop' });
    // An empty column is left out of the row's JSON line; ClickHouse stores '' for it.
    expect(row.client_ip).toBeUndefined();
    expect(JSON.stringify(row)).not.toContain('client_ip');
    expect(JSON.parse(row.payload).client).toEqual({ id: 'c1' });
    expect((source.event as unknown as { client: { ip_address: string } }).client.ip_address).toBe('198.51.100.23');
  });

  it('keeps the address when configured', () => {
    expect(toEventRow(envelope(), position, { mode: 'keep' }).client_ip).toBe('198.51.100.23');
  });
});
