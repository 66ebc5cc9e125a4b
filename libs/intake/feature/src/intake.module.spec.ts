import { InProcessBus, NonRetriableError, type ConsumedRecord } from '@sms/bus';
import { TOPICS } from '@sms/contracts';
import type { OutboxRelay } from '@sms/persistence';
import { loadConfig, ShutdownRegistry } from '@sms/platform';
import { IntakeModule } from './intake.module';
import type { LedgerWriter } from './ledger/ledger.writer';
import { InboundConsumer } from './inbound/inbound.consumer';
import type { InboundStore } from './inbound/inbound.store';
import type { IntakeConsumer } from './send-topic/intake.consumer';
import type { RetryScheduler } from './status/retry.scheduler';
import type { ReceiptDeadlineSweep } from './status/receipt-deadline.sweep';
import type { ScheduledRelease } from './status/scheduled-release';

const DISTRIBUTED = {
  MODE: 'distributed',
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/sms',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

/**
 * What intake's bootstrap subscribes to, on the in-process bus (a real adapter, not a mock): the relay and the
 * scheduler are inert stand-ins, since only the subscription is in question here.
 */
async function bootIntake(env: Record<string, string>): Promise<{ handled: string[]; bus: InProcessBus }> {
  const bus = new InProcessBus();
  const handled: string[] = [];
  const consumer = {
    handle: async (record: ConsumedRecord) => {
      handled.push(record.topic);
    },
  } as unknown as IntakeConsumer;
  const relay = { start: () => undefined, stop: async () => undefined, backlog: async () => 0 };
  const scheduler = {
    start: () => undefined,
    stop: async () => undefined,
    backlog: async () => ({ waiting: 0, due: 0 }),
  };
  const config = loadConfig(env);
  const module = new IntakeModule(
    config.intake,
    config.outbox,
    bus,
    { drain: async () => undefined } as unknown as LedgerWriter,
    relay as unknown as OutboxRelay,
    scheduler as unknown as RetryScheduler,
    scheduler as unknown as ReceiptDeadlineSweep,
    consumer,
    new ShutdownRegistry(),
    null,
    scheduler as unknown as ScheduledRelease,
    consumer as unknown as InboundConsumer,
    null,
  );
  await module.onApplicationBootstrap();
  await bus.publish([
    { topic: TOPICS.send, key: 'a', value: { id: 'x' } },
    { topic: TOPICS.status, key: 'b', value: { messageId: 'y' } },
    { topic: TOPICS.inbound, key: 'c', value: INBOUND },
  ]);
  // The in-process bus delivers on later turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));

  return { handled, bus };
}

const INBOUND = {
  webhookId: '7',
  provider: 'twilio',
  providerMessageId: 'SM7',
  from: '+447400654321',
  to: '+447400123456',
  body: 'hi',
  receivedAt: '2026-12-07T00:00:00.000Z',
};

describe('IntakeModule consumers', () => {
  it('consumes sms.send.v1 and sms.status.v1, and sms.inbound.v1 into the inbound store, by default', async () => {
    const { handled, bus } = await bootIntake(DISTRIBUTED);

    expect(handled.sort()).toEqual([TOPICS.send, TOPICS.status, TOPICS.inbound].sort());
    await bus.close();
  });

  it('leaves the topics to another intake with INTAKE_CONSUMERS_ENABLED=false', async () => {
    const { handled, bus } = await bootIntake({ ...DISTRIBUTED, INTAKE_CONSUMERS_ENABLED: 'false' });

    expect(handled).toEqual([]);
    await bus.close();
  });

  it('hands every inbound record to account webhooks once stored, a redelivered one too', async () => {
    const calls: string[] = [];
    const store = {
      record: async (event: { providerMessageId: string }) => {
        calls.push(`stored ${event.providerMessageId}`);

        return null;
      },
    } as unknown as InboundStore;
    const inbound = new InboundConsumer(store, async (event) => {
      calls.push(`webhooks ${event.providerMessageId}`);
    });
    const record = { topic: TOPICS.inbound, key: 'c', value: INBOUND } as unknown as ConsumedRecord;

    await inbound.handle(record);
    await inbound.handle(record);

    expect(calls).toEqual(['stored SM7', 'webhooks SM7', 'stored SM7', 'webhooks SM7']);
  });

  it('stores without webhooks, and refuses another topic for good', async () => {
    const stored: unknown[] = [];
    const inbound = new InboundConsumer({
      record: async (event: unknown) => stored.push(event),
    } as unknown as InboundStore);

    await inbound.handle({ topic: TOPICS.inbound, key: 'c', value: INBOUND } as unknown as ConsumedRecord);
    await expect(
      inbound.handle({ topic: TOPICS.send, key: 'c', value: INBOUND } as unknown as ConsumedRecord),
    ).rejects.toThrow(NonRetriableError);

    expect(stored).toEqual([INBOUND]);
  });
});
