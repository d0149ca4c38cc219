import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { erasureTopic, sql } from '@gallery/clickhouse';
import { clickhouseQuery } from '../support/clickhouse';
import { getJson } from '../support/api';
import { KEYS, readTestRun } from '../support/test-env';
import { postTenantFixture } from './fixture';

const run = promisify(execFile);

describe('client erasure', () => {
  it('blanks personal data and keeps counts', async () => {
    const fixture = await postTenantFixture();
    const env = readTestRun().env;
    const database = env.CLICKHOUSE_DATABASE;
    const rowsOf = () =>
      clickhouseQuery<Record<string, string>>(
        database,
        sql`SELECT client_email, client_name, client_ip, client_user_agent, payload FROM events WHERE account_id = 'acct_demo' AND client_id = ${fixture.clientId}`,
      );

    const before = await rowsOf();
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(before[0].client_email).toBe(fixture.email);
    // The default IP policy stored the /24 only.
    expect(before[0].client_ip).toBe('203.0.113.0');
    expect(before.map((row) => row.payload).join('\n')).not.toContain('203.0.113.77');
    const totalsBefore = (await getJson(`/api/v1/collections/${fixture.collectionId}/downloads`, KEYS.read)).body.data.totals;

    const tool = join(__dirname, '..', '..', 'dist', 'tools', 'erase-client.js');
    const { stdout } = await run(process.execPath, [tool, '--account', 'acct_demo', '--client-id', fixture.clientId], { env: { ...process.env, ...env } });
    expect(stdout).toContain(`in ${before.length} event row(s)`);

    const after = await rowsOf();
    expect(after).toHaveLength(before.length);
    for (const row of after) {
      expect([row.client_email, row.client_name, row.client_ip, row.client_user_agent]).toEqual(['', '', '', '']);
      expect(row.payload).not.toContain(fixture.email);
      expect(row.payload).not.toContain('Ada Lovelace');
      expect(row.payload).not.toContain('Mozilla');
      expect(row.payload).not.toContain('203.0.113');
      expect(row.payload).toContain(fixture.clientId);
    }
    const totalsAfter = (await getJson(`/api/v1/collections/${fixture.collectionId}/downloads`, KEYS.read)).body.data.totals;
    expect(totalsAfter).toEqual(totalsBefore);

    const kafka = new Kafka({ clientId: 'e2e-erasure-check', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(erasureTopic(env.KAFKA_TOPIC));
      expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.deleteTopics({ topics: [erasureTopic(env.KAFKA_TOPIC)] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
