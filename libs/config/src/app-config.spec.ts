import { loadAppConfig } from './app-config';

describe('loadAppConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadAppConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.deadLetterTopic).toBe('gallery.events.v1.dlq');
    expect(config.clickhouse.database).toBe('gallery_analytics');
    expect(config.ingest.port).toBe(3000);
    expect(config.query.port).toBe(3001);
    expect(config.security.corsOrigins).toEqual([]);
    expect(config.security.apiKeysReloadMs).toBe(2000);
    expect(config.privacy.clientIpMode).toBe('truncate');
    expect(config.kafka.signingKeys).toEqual([]);
  });

  it('reads signing keys in order', () => {
    const [first, second] = ['a'.repeat(32), 'b'.repeat(40)];
    expect(loadAppConfig({ EVENT_SIGNING_KEYS: ` ${first} , ${second}` }).kafka.signingKeys).toEqual([first, second]);
  });

  it('rejects a short signing key unechoed', () => {
    const first = 'a'.repeat(32);
    const load = () => loadAppConfig({ EVENT_SIGNING_KEYS: `${first},too-short-secret` });
    expect(load).toThrow('EVENT_SIGNING_KEYS: key 2 of 2 has 16 characters; each needs at least 32');
    expect(load).not.toThrow(/too-short-secret/);
  });

  it.each([
    [{ INGEST_PORT: 'abc' }, /INGEST_PORT must be a whole number/],
    [{ INGEST_PORT: '70000' }, /INGEST_PORT/],
    [{ CLICKHOUSE_DATABASE: 'x; DROP' }, /CLICKHOUSE_DATABASE/],
    [{ CLICKHOUSE_URL: 'ftp://x' }, /CLICKHOUSE_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS/],
    [{ CORS_ORIGINS: 'https://dash.example.com/path' }, /CORS_ORIGINS/],
    [{ CLIENT_IP_MODE: 'mask' }, /CLIENT_IP_MODE/],
    [{ CLIENT_IP_MODE: 'hash' }, /CLIENT_IP_HASH_KEY/],
    [{ RATE_LIMIT_QUERY_PER_SECOND: '-1' }, /RATE_LIMIT_QUERY_PER_SECOND/],
  ])('names the invalid variable %#', (env, message) => {
    expect(() => loadAppConfig(env)).toThrow(message);
  });
});
