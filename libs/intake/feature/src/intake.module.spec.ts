import { InProcessBus, type ConsumedRecord } from '@sms/bus';
import { TOPICS } from '@sms/contracts';
import type { OutboxRelay } from '@sms/persistence';
import { loadConfig, ShutdownRegistry } from '@sms/platform';
import { IntakeModule } from './intake.module';
import type { LedgerWriter } from './ledger/ledger.writer';
import type { IntakeConsumer } from './send-topic/intake.consumer';
import type { RetryScheduler } from './status/retry.scheduler';
import type { ReceiptDeadlineSweep } from './status/receipt-deadline.sweep';
import type { WebhookRuntime } from './webhooks/webhook.runtime';
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
async function bootIntake(
  env: Record<string, string>,
  webhooks: WebhookRuntime | null = null,
): Promise<{ handled: string[]; bus: InProcessBus }> {
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
  const module = new IntakeModule(
    loadConfig(env),
    bus,
    { drain: async () => undefined } as unknown as LedgerWriter,
    relay as unknown as OutboxRelay,
    scheduler as unknown as RetryScheduler,
    scheduler as unknown as ReceiptDeadlineSweep,
    consumer,
    new ShutdownRegistry(),
    webhooks,
    scheduler as unknown as ScheduledRelease,
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
  it('consumes sms.send.v1 and sms.status.v1 by default (account webhooks off: no sms.inbound.v1)', async () => {
    const { handled, bus } = await bootIntake(DISTRIBUTED);

    expect(handled.sort()).toEqual([TOPICS.send, TOPICS.status].sort());
    await bus.close();
  });

  it('leaves both topics to another intake with INTAKE_CONSUMERS_ENABLED=false', async () => {
    const { handled, bus } = await bootIntake({ ...DISTRIBUTED, INTAKE_CONSUMERS_ENABLED: 'false' });

    expect(handled).toEqual([]);
    await bus.close();
  });

  it('also reads sms.inbound.v1 for message.inbound events when account webhooks are on', async () => {
    const inbound: unknown[] = [];
    const runtime = {
      directory: { start: async () => undefined, stop: () => undefined },
      dispatcher: { start: () => undefined, stop: async () => undefined },
      poster: { close: async () => undefined },
      events: {
        inbound: async (event: unknown) => {
          inbound.push(event);

          return 0;
        },
      },
    } as unknown as WebhookRuntime;
    const { handled, bus } = await bootIntake(DISTRIBUTED, runtime);

    expect(handled.sort()).toEqual([TOPICS.send, TOPICS.status].sort());
    expect(inbound).toEqual([INBOUND]);
    await bus.close();
  });
});
