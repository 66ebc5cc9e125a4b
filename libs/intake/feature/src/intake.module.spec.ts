import { InProcessBus, type ConsumedRecord } from '@sms/bus';
import { TOPICS } from '@sms/contracts';
import type { OutboxRelay } from '@sms/persistence';
import { loadConfig, ShutdownRegistry } from '@sms/platform';
import { IntakeModule } from './intake.module';
import type { LedgerWriter } from './ledger/ledger.writer';
import type { InboundConsumer } from './inbound/inbound.consumer';
import type { IntakeConsumer } from './send-topic/intake.consumer';
import type { RetryScheduler } from './status/retry.scheduler';
import type { ReceiptDeadlineSweep } from './status/receipt-deadline.sweep';

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
  const module = new IntakeModule(
    loadConfig(env),
    bus,
    { drain: async () => undefined } as unknown as LedgerWriter,
    relay as unknown as OutboxRelay,
    scheduler as unknown as RetryScheduler,
    scheduler as unknown as ReceiptDeadlineSweep,
    consumer,
    new ShutdownRegistry(),
    consumer as unknown as InboundConsumer,
  );
  await module.onApplicationBootstrap();
  await bus.publish([
    { topic: TOPICS.send, key: 'a', value: { id: 'x' } },
    { topic: TOPICS.status, key: 'b', value: { messageId: 'y' } },
    { topic: TOPICS.inbound, key: 'c', value: { webhookId: 'z' } },
  ]);
  // The in-process bus delivers on later turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));

  return { handled, bus };
}

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
});
