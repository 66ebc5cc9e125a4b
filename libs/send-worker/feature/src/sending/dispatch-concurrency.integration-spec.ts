/**
 * The send-worker's concurrency per sender on the real broker and MariaDB: one sender's dispatches run side
 * by side (its provider calls overlap), each (message, attempt) reaches the provider at most once, offsets
 * are committed only over the contiguous done prefix, and a batch redelivered after a crash mid-flight
 * makes no second provider call. The provider is a stand-in (an outside service); Kafka and MariaDB are real.
 */
import { randomUUID } from 'node:crypto';
import { type Bus, consoleBusLogger, HandlerStoppedError, KafkaBus, NamespacedBus, silentBusLogger } from '@sms/bus';
import {
  DEFAULT_ACCOUNT_ID,
  type DispatchRequestedV1,
  Encoding,
  type StatusChangedV1,
  StatusEventKind,
  TOPICS,
  CONSUMER_GROUPS,
} from '@sms/contracts';
import { OptOutReplica } from '@sms/opt-out-registry';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import {
  DeliveryStatus,
  ErrorClass,
  type ProviderId,
  type SendRequest,
  type SendResult,
  type SmsProvider,
} from '@sms/provider-port';
import { ProviderRegistry } from '@sms/providers';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { SendAttemptEntity } from '../database/entities/send-attempt.entity';
import { DISPATCH_CONCURRENCY, SEND_WORKER_ENTITIES, SEND_WORKER_MIGRATIONS } from '../send-worker.module';
import { DispatchHandler } from './dispatch.handler';
import { sentEvent } from './send-outcome';

jest.setTimeout(120_000);

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const runId = randomUUID().slice(0, 8);
const PROVIDER = 'stand-in';
const LATENCY_MS = 300;

/** A provider answering after a fixed latency; a message id in `hold` waits until released. */
class StandInProvider {
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly hold = new Map<string, Promise<void>>();

  readonly adapter = {
    id: PROVIDER as ProviderId,
    send: async (request: SendRequest): Promise<SendResult> => {
      this.calls.push(request.messageId);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await (this.hold.get(request.messageId) ?? new Promise((resolve) => setTimeout(resolve, LATENCY_MS)));
      } finally {
        this.inFlight--;
      }

      return { providerMessageId: `SM${request.messageId.replace(/-/g, '')}`, status: 'sent' } as SendResult;
    },
    classifyError: () => ErrorClass.Transient,
    verifyWebhook: () => false,
    parseDeliveryReports: () => [],
    parseInbound: () => null,
  } as unknown as SmsProvider;

  callsFor(messageId: string): number {
    return this.calls.filter((id) => id === messageId).length;
  }
}

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

function dispatch(sender: string, overrides: Partial<DispatchRequestedV1> = {}): DispatchRequestedV1 {
  return {
    messageId: randomUUID(),
    accountId: DEFAULT_ACCOUNT_ID,
    attempt: 1,
    provider: PROVIDER,
    from: sender,
    to: '+447400123456',
    body: 'Your code is 123456',
    encoding: Encoding.Gsm7,
    segments: 1,
    validitySeconds: null,
    price: null,
    currency: null,
    routeReason: 'test',
    routedAt: new Date().toISOString(),
    sendAt: null,
    ...overrides,
  };
}

let database: TestDatabase;
let dataSource: DataSource;
let kafka: KafkaBus;
let caseSeq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateSlice(database.url, 'send-worker', SEND_WORKER_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'send-worker',
    database: { kind: 'mysql', url: database.url, poolSize: 10 },
    entities: SEND_WORKER_ENTITIES,
    migrations: SEND_WORKER_MIGRATIONS,
  }).initialize();
  kafka = new KafkaBus({
    brokers,
    clientId: `send-worker-it-${runId}`,
    logger: process.env['SW_IT_LOG'] ? consoleBusLogger : silentBusLogger,
  });
});

afterAll(async () => {
  await kafka.close();
  await dataSource.destroy();
  await database.drop();
});

interface Case {
  readonly bus: Bus;
  readonly provider: StandInProvider;
  readonly statuses: StatusChangedV1[];
  /** Starts the send-worker's consumer (as SendWorkerModule subscribes it) on this case's topics. */
  start(): Promise<void>;
  publish(dispatches: readonly DispatchRequestedV1[]): Promise<void>;
  dispatchLag(): Promise<number>;
}

/** Fresh topics under a prefix of their own, so cases and runs never read each other's records. */
async function newCase(): Promise<Case> {
  const prefix = `sw-it.${runId}.${++caseSeq}.`;
  await kafka.ensureTopics(
    [TOPICS.dispatch, TOPICS.status, TOPICS.sendResult, TOPICS.optoutReported].map((topic) => ({
      topic: prefix + topic,
      numPartitions: 2,
    })),
  );
  const bus = new NamespacedBus(kafka, prefix);
  const provider = new StandInProvider();
  const registry = new ProviderRegistry();
  registry.register(PROVIDER, provider.adapter);
  const handler = new DispatchHandler(dataSource, bus, registry, 'http://127.0.0.1', new OptOutReplica());
  const statuses: StatusChangedV1[] = [];
  await bus.subscribe({
    groupId: `collector-${randomUUID().slice(0, 8)}`,
    topics: [TOPICS.sendResult],
    handler: async ({ value }) => {
      statuses.push(value as StatusChangedV1);
    },
  });

  return {
    bus,
    provider,
    statuses,
    start: () =>
      bus.subscribe({
        groupId: CONSUMER_GROUPS.sendWorker,
        topics: [TOPICS.dispatch],
        handler: handler.handle,
        ...DISPATCH_CONCURRENCY,
      }),
    publish: async (dispatches) => {
      const records = dispatches.map((value) => ({ topic: TOPICS.dispatch, key: value.from, value }));
      // A topic just created may not be served by its leader yet.
      for (let tries = 1; ; tries++) {
        try {
          return await bus.publish(records);
        } catch (error) {
          if (tries >= 20) {
            throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    },
    // NaN while the admin client is still finding the group's coordinator: the waits ask again.
    dispatchLag: async () => {
      const lags = (await bus.consumerLag().catch(() => [])).filter(
        (lag) => lag.groupId === CONSUMER_GROUPS.sendWorker && lag.topic === TOPICS.dispatch,
      );

      return lags.length === 0 ? Number.NaN : lags.reduce((sum, lag) => sum + lag.lag, 0);
    },
  };
}

describe('send-worker concurrency per sender (Kafka, MariaDB)', () => {
  it("overlaps one sender's provider calls, calls the provider once per message, and commits them all", async () => {
    const run = await newCase();
    await run.start();
    const sender = '+447400900999';
    const batch = Array.from({ length: 40 }, () => dispatch(sender));
    const started = Date.now();
    await run.publish(batch);

    await waitFor('40 sent events', () => run.statuses.length >= 40);
    const elapsed = Date.now() - started;
    // One at a time this is 40 × 300 ms = 12 s.
    expect(elapsed).toBeLessThan(6_000);
    expect(run.provider.maxInFlight).toBeGreaterThan(10);
    expect(run.statuses.every((event) => event.kind === StatusEventKind.Sent)).toBe(true);
    expect(new Set(run.statuses.map((event) => event.messageId))).toEqual(new Set(batch.map((d) => d.messageId)));
    expect(batch.every((d) => run.provider.callsFor(d.messageId) === 1)).toBe(true);
    const rows = await dataSource
      .getRepository(SendAttemptEntity)
      .findBy(batch.map((d) => ({ messageId: d.messageId, attempt: 1 })));
    expect(rows).toHaveLength(40);
    expect(rows.every((row) => row.state === 'done')).toBe(true);
    await waitFor('the group to commit every record', async () => (await run.dispatchLag()) === 0);
  });

  it('lets a copy of a dispatch still in flight wait for it: one provider call, the same outcome, never ambiguous', async () => {
    const run = await newCase();
    await run.start();
    const original = dispatch('+447400900998');
    await run.publish([original, original]);

    await waitFor('two outcomes', () => run.statuses.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(run.provider.callsFor(original.messageId)).toBe(1);
    expect(run.statuses).toHaveLength(2);
    expect(run.statuses.map((event) => event.kind)).toEqual([StatusEventKind.Sent, StatusEventKind.Sent]);
    expect(run.statuses[0]?.providerMessageId).toBe(run.statuses[1]?.providerMessageId);
  });

  it('commits nothing past a dispatch still in flight, however many after it are done', async () => {
    const run = await newCase();
    const sender = '+447400900990';
    const slow = dispatch(sender);
    let release!: () => void;
    run.provider.hold.set(
      slow.messageId,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const later = Array.from({ length: 5 }, () => dispatch(sender));
    await run.publish([slow, ...later]);
    await run.start();

    try {
      await waitFor('the five later ones sent', () => run.statuses.length >= 5);
      // Past the commit interval: had anything past the slow one been committed, the lag would show it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(run.statuses.map((event) => event.messageId).sort()).toEqual(later.map((d) => d.messageId).sort());
      expect(await run.dispatchLag()).toBe(6);
    } finally {
      release();
    }
    await waitFor('the slow one sent', () => run.statuses.length >= 6);
    await waitFor('the group to commit past all six', async () => (await run.dispatchLag()) === 0);
  });

  it('after a crash mid-flight, redelivered dispatches make no second provider call', async () => {
    const run = await newCase();
    const sender = '+447400900991';
    // What a worker killed mid-batch leaves: one attempt claimed and never finished (its call may have
    // reached the provider), a later one done, and the offsets of both uncommitted (the done prefix ended
    // before the first).
    const cutOff = dispatch(sender);
    const finished = dispatch(sender);
    const attempts = dataSource.getRepository(SendAttemptEntity);
    const at = new Date();
    const recorded = sentEvent(finished, { providerMessageId: 'SMrecorded', status: DeliveryStatus.Sent }, at);
    await attempts.insert([
      { ...row(cutOff, at), state: 'sending' },
      { ...row(finished, at), state: 'done', providerMessageId: 'SMrecorded', outcome: JSON.stringify(recorded) },
    ]);
    await run.publish([cutOff, finished]);
    await run.start();

    await waitFor('both outcomes', () => run.statuses.length >= 2);
    expect(run.provider.calls).toEqual([]);
    const byMessage = new Map(run.statuses.map((event) => [event.messageId, event]));
    // The cut-off attempt is reported ambiguous (retried on the same provider after a lookup), never resent here.
    expect(byMessage.get(cutOff.messageId)).toMatchObject({
      kind: StatusEventKind.Retry,
      errorCode: 'AMBIGUOUS_SUBMIT',
      ambiguous: true,
    });
    // The finished one republishes exactly what was recorded.
    expect(byMessage.get(finished.messageId)).toEqual(recorded);
    expect((await attempts.findOneByOrFail({ messageId: cutOff.messageId })).state).toBe('done');
    await waitFor('the group to commit both', async () => (await run.dispatchLag()) === 0);
  });

  it('on shutdown, a dispatch waiting for its rate slot gives up at once: nothing claimed, nothing sent', async () => {
    const provider = new StandInProvider();
    const registry = new ProviderRegistry();
    registry.register(PROVIDER, provider.adapter);
    const handler = new DispatchHandler(
      dataSource,
      new NamespacedBus(kafka, `sw-it.${runId}.stop.`),
      registry,
      'http://127.0.0.1',
      new OptOutReplica(),
    );
    const waiting = dispatch('+447400900997', { sendAt: new Date(Date.now() + 60_000).toISOString() });
    const handled = handler.handle({
      topic: TOPICS.dispatch,
      partition: 0,
      offset: '0',
      key: waiting.from,
      value: waiting,
      headers: {},
      attempt: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stoppedAt = Date.now();
    handler.stopWaiting();

    await expect(handled).rejects.toBeInstanceOf(HandlerStoppedError);
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);
    expect(provider.callsFor(waiting.messageId)).toBe(0);
    expect(await dataSource.getRepository(SendAttemptEntity).countBy({ messageId: waiting.messageId })).toBe(0);
  });
});

function row(d: DispatchRequestedV1, at: Date): Partial<SendAttemptEntity> {
  return {
    messageId: d.messageId,
    attempt: d.attempt,
    provider: d.provider,
    providerMessageId: null,
    outcome: null,
    latencyMs: null,
    createdAt: at,
    updatedAt: at,
  };
}
