import { Admin, Kafka } from 'kafkajs';

/**
 * Readiness of Kafka: the broker returns metadata for `topic`. The admin client is kept between
 * checks and dropped after a failure, so the next check connects afresh. Pass a client with few
 * retries, because a check must fail within seconds.
 */
export function kafkaReadinessCheck(kafka: Kafka, topic: string): { name: string; check(): Promise<void>; close(): Promise<void> } {
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;

  const connectedAdmin = (): Promise<Admin> => {
    if (admin) return Promise.resolve(admin);
    if (!connecting) {
      const candidate = kafka.admin();
      connecting = candidate.connect().then(
        () => {
          admin = candidate;
          connecting = undefined;
          return candidate;
        },
        (error: unknown) => {
          connecting = undefined;
          throw error;
        },
      );
    }
    return connecting;
  };

  return {
    name: 'kafka',
    async check() {
      const client = await connectedAdmin();
      try {
        await client.fetchTopicMetadata({ topics: [topic] });
      } catch (error) {
        if (admin === client) admin = undefined;
        await client.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      const client = admin;
      admin = undefined;
      await client?.disconnect();
    },
  };
}
