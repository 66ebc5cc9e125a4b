/**
 * The send-worker's last check before a provider call, on the real MariaDB (its attempt store), Redis (the
 * send gate intake's cancels use) and Kafka (where the outcome is published): a cancelled attempt and an
 * attempt past its validity are reported, recorded and never sent. The provider is a stand-in.
 */
import { randomUUID } from 'node:crypto';
import { type ConsumedRecord, KafkaBus, NamespacedBus, silentBusLogger } from '@sms/bus';
import {
  DEFAULT_ACCOUNT_ID,
  type DispatchRequestedV1,
  Encoding,
  type StatusChangedV1,
  StatusEventKind,
  TOPICS,
} from '@sms/contracts';
import { RedisKeyValueStore, SendGate } from '@sms/counters';
import { OptOutReplica } from '@sms/opt-out-registry';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { ErrorClass, type ProviderId, type SendResult, type SmsProvider } from '@sms/provider-port';
import { ProviderRegistry } from '@sms/providers';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { SendAttemptEntity } from '../database/entities/send-attempt.entity';
import { SEND_WORKER_ENTITIES, SEND_WORKER_MIGRATIONS } from '../send-worker.module';
import { DispatchHandler } from './dispatch.handler';

jest.setTimeout(60_000);

const PROVIDER = 'stand-in';
const runId = randomUUID().slice(0, 8);
const calls: string[] = [];
const adapter = {
  id: PROVIDER as ProviderId,
  send: async (request: { messageId: string }): Promise<SendResult> => {
    calls.push(request.messageId);

    return { providerMessageId: `SM${request.messageId.slice(0, 8)}`, status: 'sent' } as SendResult;
  },
  classifyError: () => ErrorClass.Transient,
  verifyWebhook: () => false,
  parseDeliveryReports: () => [],
  parseInbound: () => null,
} as unknown as SmsProvider;

let database: TestDatabase;
let dataSource: DataSource;
let kafka: KafkaBus;
let kv: RedisKeyValueStore;
let gate: SendGate;
let handler: DispatchHandler;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateSlice(database.url, 'send-worker', SEND_WORKER_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'send-worker',
    database: { kind: 'mysql', url: database.url, poolSize: 5 },
    entities: SEND_WORKER_ENTITIES,
    migrations: SEND_WORKER_MIGRATIONS,
  }).initialize();
  kafka = new KafkaBus({
    brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    clientId: `sw-last-check-${runId}`,
    logger: silentBusLogger,
  });
  const prefix = `sw-last.${runId}.`;
  await kafka.ensureTopics(
    [TOPICS.status, TOPICS.sendResult, TOPICS.optoutReported].map((topic) => ({
      topic: prefix + topic,
      numPartitions: 1,
    })),
  );
  kv = new RedisKeyValueStore({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
  gate = new SendGate(kv, `sw-last-it:${runId}:`);
  const registry = new ProviderRegistry();
  registry.register(PROVIDER, adapter);
  handler = new DispatchHandler(
    dataSource,
    new NamespacedBus(kafka, prefix),
    registry,
    'http://127.0.0.1',
    new OptOutReplica(),
    undefined,
    undefined,
    gate,
  );
});

afterAll(async () => {
  await kafka?.close();
  await kv?.close();
  await dataSource?.destroy();
  await database?.drop();
});

function dispatch(overrides: Partial<DispatchRequestedV1> = {}): DispatchRequestedV1 {
  return {
    messageId: randomUUID(),
    accountId: DEFAULT_ACCOUNT_ID,
    attempt: 1,
    provider: PROVIDER,
    from: '+447400900999',
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

const record = (value: DispatchRequestedV1): ConsumedRecord => ({
  topic: TOPICS.dispatch,
  partition: 0,
  offset: '0',
  key: value.from,
  value,
  headers: {},
  attempt: 1,
});

/** The outcome the attempt store recorded (and the handler published) for the message's first attempt. */
async function outcomeOf(messageId: string): Promise<StatusChangedV1> {
  const row = await dataSource.getRepository(SendAttemptEntity).findOneByOrFail({ messageId, attempt: 1 });

  return JSON.parse(row.outcome ?? 'null') as StatusChangedV1;
}

describe('send-worker: the last check before the provider call', () => {
  it('sends an attempt nobody cancelled, after which a cancel of it is refused', async () => {
    const d = dispatch();
    await handler.handle(record(d));

    expect(calls).toContain(d.messageId);
    expect((await outcomeOf(d.messageId)).kind).toBe(StatusEventKind.Sent);
    expect(await gate.cancel(d.messageId, 1)).toBe('with-provider');
  });

  it('does not call the provider for an attempt intake cancelled, and reports it cancelled', async () => {
    const d = dispatch();
    expect(await gate.cancel(d.messageId, 1)).toBe('cancelled');
    await handler.handle(record(d));

    expect(calls).not.toContain(d.messageId);
    expect(await outcomeOf(d.messageId)).toMatchObject({ kind: StatusEventKind.Cancelled, attempt: 1 });
  });

  it('does not call the provider past the validity, and reports it expired (VALIDITY_EXPIRED)', async () => {
    const d = dispatch({ validitySeconds: 60, expiresAt: new Date(Date.now() - 1_000).toISOString() });
    await handler.handle(record(d));

    expect(calls).not.toContain(d.messageId);
    expect(await outcomeOf(d.messageId)).toMatchObject({
      kind: StatusEventKind.Expired,
      errorCode: 'VALIDITY_EXPIRED',
    });
  });

  it('does not wait for a rate slot that falls after the validity: it expires at once', async () => {
    const d = dispatch({
      validitySeconds: 60,
      expiresAt: new Date(Date.now() + 5_000).toISOString(),
      sendAt: new Date(Date.now() + 30_000).toISOString(),
    });
    const started = Date.now();
    await handler.handle(record(d));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).not.toContain(d.messageId);
    expect((await outcomeOf(d.messageId)).kind).toBe(StatusEventKind.Expired);
  });
});
