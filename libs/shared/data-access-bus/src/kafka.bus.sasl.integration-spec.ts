/**
 * The bus against a broker that speaks only SASL (SCRAM, over SASL_PLAINTEXT and over SASL_SSL with a private
 * CA): the settings a service reads (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*) reach the producer, the
 * consumer group and the admin client; a wrong password, a client without SASL and a TLS client that does not
 * trust the broker's CA are refused. The broker is a second one of its own (testing/sasl-broker.ts), started
 * from the same jars as the shared test broker.
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

  const busWith = (env: Record<string, string>, clientId: string, bootstrap = broker.bootstrap): KafkaBus =>
    new KafkaBus({
      brokers: [bootstrap],
      clientId,
      security: kafkaSecurityFromEnv(env),
      logger: silentBusLogger,
      maxWaitTimeMs: 200,
    });

  async function roundTrip(bus: KafkaBus, topic: string): Promise<void> {
    await bus.ensureTopics([{ topic, numPartitions: 2 }]);
    const handled: ConsumedRecord[] = [];
    await bus.subscribe({ groupId: topic, topics: [topic], handler: async (r) => void handled.push(r) });
    await bus.publish([
      { topic, key: 'a', value: { n: 1 } },
      { topic, key: 'b', value: { n: 2 } },
    ]);
    await waitFor('both records', () => handled.length === 2, 60_000);
    expect(handled.map((r) => (r.value as { n: number }).n).sort()).toEqual([1, 2]);
    expect(await bus.isReady()).toBe(true);
  }

  it.each(['scram-sha-256', 'scram-sha-512'])(
    'creates topics, publishes and consumes as a group with %s',
    async (mechanism) => {
      const bus = busWith(
        { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: GATEWAY.name, KAFKA_SASL_PASSWORD: GATEWAY.password },
        `sasl-it-${mechanism}`,
      );
      try {
        await roundTrip(bus, `sasl-it.${mechanism}.v1`);
      } finally {
        await bus.close();
      }
    },
  );

  it('does the same over TLS, the broker verified against KAFKA_SSL_CA_FILE (the production settings)', async () => {
    const bus = busWith(
      {
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: broker.caFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: GATEWAY.name,
        KAFKA_SASL_PASSWORD: GATEWAY.password,
      },
      'sasl-it-tls',
      broker.tlsBootstrap,
    );
    try {
      await roundTrip(bus, 'sasl-it.tls.v1');
    } finally {
      await bus.close();
    }
  });

  it('refuses a broker whose CA it was not given: the certificate is checked, not just the channel encrypted', async () => {
    const untrusting = busWith(
      {
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: GATEWAY.name,
        KAFKA_SASL_PASSWORD: GATEWAY.password,
      },
      'sasl-it-untrusting',
      broker.tlsBootstrap,
    );
    try {
      expect(await untrusting.isReady()).toBe(false);
      await expect(untrusting.ensureTopics([{ topic: 'sasl-it.untrusted.v1', numPartitions: 1 }])).rejects.toThrow(
        /certificate/i,
      );
    } finally {
      await untrusting.close();
    }
  });

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
