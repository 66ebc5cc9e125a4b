/**
 * The bus against a broker that speaks only SASL (SCRAM over SASL_PLAINTEXT): the settings a service reads
 * (KAFKA_SASL_*) reach the producer, the consumer group and the admin client, and a wrong password or a
 * client without SASL is refused. The broker is a second one of its own (testing/sasl-broker.ts), started
 * from the same jars as the shared test broker; TLS is not exercised here (no certificates on this broker).
 */
import { waitFor } from './bus.behaviour';
import { silentBusLogger } from './bus.logger';
import type { ConsumedRecord } from './bus.port';
import { KafkaBus } from './kafka.bus';
import { kafkaSecurityFromEnv } from './kafka-security';
import { type SaslBroker, startSaslBroker } from './testing/sasl-broker';

jest.setTimeout(180_000);

const GATEWAY = { name: 'sms-gateway', password: 'scram-password-0123456789' };

describe('KafkaBus over SASL', () => {
  let broker: SaslBroker;

  beforeAll(async () => {
    broker = await startSaslBroker([GATEWAY]);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const busWith = (env: Record<string, string>, clientId: string): KafkaBus =>
    new KafkaBus({
      brokers: [broker.bootstrap],
      clientId,
      security: kafkaSecurityFromEnv(env),
      logger: silentBusLogger,
      maxWaitTimeMs: 200,
    });

  it.each(['scram-sha-256', 'scram-sha-512'])(
    'creates topics, publishes and consumes as a group with %s',
    async (mechanism) => {
      const bus = busWith(
        { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: GATEWAY.name, KAFKA_SASL_PASSWORD: GATEWAY.password },
        `sasl-it-${mechanism}`,
      );
      const topic = `sasl-it.${mechanism}.v1`;
      try {
        await bus.ensureTopics([{ topic, numPartitions: 2 }]);
        const handled: ConsumedRecord[] = [];
        await bus.subscribe({
          groupId: `sasl-it-${mechanism}`,
          topics: [topic],
          handler: async (r) => void handled.push(r),
        });
        await bus.publish([
          { topic, key: 'a', value: { n: 1 } },
          { topic, key: 'b', value: { n: 2 } },
        ]);
        await waitFor('both records', () => handled.length === 2, 60_000);
        expect(handled.map((r) => r.value).sort((x, y) => (x as { n: number }).n - (y as { n: number }).n)).toEqual([
          { n: 1 },
          { n: 2 },
        ]);
        expect(await bus.isReady()).toBe(true);
        const lag = await bus.consumerLag();
        expect(lag.some((entry) => entry.topic === topic)).toBe(true);
      } finally {
        await bus.close();
      }
    },
  );

  it('is refused with a wrong password, and without SASL at all', async () => {
    const wrong = busWith(
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: GATEWAY.name, KAFKA_SASL_PASSWORD: 'not-it-0123' },
      'sasl-it-wrong',
    );
    const plaintext = busWith({}, 'sasl-it-plaintext');
    try {
      expect(await wrong.isReady()).toBe(false);
      expect(await plaintext.isReady()).toBe(false);
      await expect(wrong.ensureTopics([{ topic: 'sasl-it.refused.v1', numPartitions: 1 }])).rejects.toThrow(
        /SASL|authentication/i,
      );
    } finally {
      await Promise.all([wrong.close(), plaintext.close()]);
    }
  });
});
