/**
 * The opt-out scope matrix against a real MariaDB with the real migrations: a STOP reaches the account
 * that last messaged the recipient from the number texted (every sender by default, one sender under the
 * per-sender setting), STOPALL and an unattributable STOP reach every account, provider-reported opt-outs
 * follow the message's account, START undoes within the same reach, and a participant's keyword to a
 * masked number answers the session's account. What the send path sees is read from an OptOutReplica fed
 * by the published `sms.optout.v1` states; one round trip runs over the real Kafka broker.
 */
import { type Bus, type BusRecord, type ConsumedRecord, InProcessBus, KafkaBus, silentBusLogger } from '@sms/bus';
import {
  decodeEvent,
  DEFAULT_ACCOUNT_ID,
  Encoding,
  OptOutChangedV1,
  type SendRequestedV1,
  StatusEventKind,
  StatusEventSource,
  statusRecord,
  TOPICS,
} from '@sms/contracts';
import { MaskDirectory } from '@sms/mask-directory';
import { keywordSet, OptOutReplica } from '@sms/opt-out-registry';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RecentSenders } from '../accounts/recent-senders';
import { OPT_OUT_ENTITIES, OPT_OUT_MIGRATIONS } from '../database/opt-out.schema';
import { OptOutLedger } from '../ledger/opt-out.ledger';
import { type OptOutDefaults, OptOutSettingsStore } from '../settings/opt-out-settings';
import { OptOutConsumer } from './opt-out.consumer';

jest.setTimeout(120_000);

const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';
const OTHER = '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d';
const [S1, S2, POOL] = ['+12025550142', '+12025550143', '+12025550160'];
const DEFAULTS: OptOutDefaults = {
  scope: 'account',
  stopReply: 'No more messages from {name}.',
  stopSenderReply: 'No more messages from this number of {name}; its other numbers may still write.',
  stopAllReply: 'No more messages from anyone here.',
  startReply: 'Welcome back to {name}.',
  helpReply: 'Help from {name}.',
};

let db: TestDatabase;
let dataSource: DataSource;
let bus: InProcessBus;
let replica: OptOutReplica;
let replies: SendRequestedV1[];
let settings: OptOutSettingsStore;
let recent: RecentSenders;
let masks: MaskDirectory;
let sut: OptOutConsumer;
let recipient: string;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'opt-out', OPT_OUT_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'opt-out',
    database: { kind: 'mysql', url: db.url, poolSize: 10 },
    entities: OPT_OUT_ENTITIES,
    migrations: OPT_OUT_MIGRATIONS,
  }).initialize();
});

afterAll(async () => {
  await bus?.close();
  await dataSource?.destroy();
  await db?.drop();
});

beforeEach(async () => {
  await bus?.close();
  for (const table of ['opt_outs', 'opt_out_audit', 'opt_out_settings', 'opt_out_recent_senders']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
  bus = new InProcessBus();
  replica = new OptOutReplica();
  replies = [];
  await bus.subscribe({
    groupId: 'replica',
    topics: [TOPICS.optout],
    handler: async (record) => replica.apply(decodeEvent(OptOutChangedV1, record.value)),
  });
  await bus.subscribe({
    groupId: 'replies',
    topics: [TOPICS.send],
    handler: async (record) => {
      replies.push(record.value as SendRequestedV1);
    },
  });
  settings = new OptOutSettingsStore(dataSource, DEFAULTS);
  recent = new RecentSenders(dataSource);
  masks = new MaskDirectory();
  sut = consumerOn(bus);
  recipient = `+4474001${String(23400 + ++seq)}`;
});

const consumerOn = (on: Bus): OptOutConsumer =>
  new OptOutConsumer(
    new OptOutLedger(dataSource, on),
    on,
    { keywords: keywordSet('', ''), defaults: DEFAULTS },
    settings,
    recent,
    masks,
  );

const record = (topic: string, value: object, headers: Record<string, string> = {}): ConsumedRecord => ({
  topic,
  partition: 0,
  offset: '0',
  key: 'k',
  value: JSON.parse(JSON.stringify(value)) as unknown,
  headers,
  attempt: 1,
});

const dispatch = (from: string, to: string, accountId: string | undefined, routedAt = new Date()) => ({
  messageId: randomUUID(),
  attempt: 1,
  provider: 'twilio',
  from,
  to,
  body: 'Your order shipped',
  encoding: Encoding.Gsm7,
  segments: 1,
  validitySeconds: null,
  price: null,
  currency: null,
  routeReason: 'test',
  routedAt: routedAt.toISOString(),
  ...(accountId ? { accountId } : {}),
});

const inbound = (from: string, to: string, body: string) => ({
  webhookId: randomUUID(),
  provider: 'twilio',
  providerMessageId: randomUUID(),
  from,
  to,
  body,
  receivedAt: new Date().toISOString(),
});

const sent = async (from: string, to: string, accountId: string) =>
  sut.handle(record(TOPICS.dispatch, dispatch(from, to, accountId)));
const texts = async (to: string, body: string, from = recipient) =>
  sut.handle(record(TOPICS.inbound, inbound(from, to, body)));

/** Waits for the published states to reach the replica (the in-process bus delivers asynchronously). */
const settle = async (predicate: () => boolean) => {
  for (let i = 0; i < 300 && !predicate(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const blocked = (accountId: string | null, sender: string | null) =>
  replica.isOptedOutNow({ recipient, sender, accountId });

it('by default a STOP blocks every sender of the account that messaged, and no other account', async () => {
  await settings.update(ACME, { displayName: 'Acme' });
  await sent(S1, recipient, ACME);
  await texts(S1, 'STOP');
  await settle(() => replies.length === 1);
  expect(blocked(ACME, S1)).toBe(true);
  expect(blocked(ACME, S2)).toBe(true);
  expect(blocked(OTHER, S1)).toBe(false);
  expect(replies).toEqual([
    expect.objectContaining({ to: recipient, from: S1, accountId: ACME, body: 'No more messages from Acme.' }),
  ]);
  // The confirmation itself gets through.
  expect(replica.isOptedOutNow({ recipient, sender: S1, accountId: ACME, messageId: replies[0]?.id })).toBe(false);
  const rows = await db.query<{ account_id: string; scope_key: string }[]>(
    'SELECT account_id, scope_key FROM opt_outs WHERE number = ?',
    [recipient],
  );
  expect(rows).toEqual([{ account_id: ACME, scope_key: '*' }]);
});

it('the per-sender setting blocks only the number texted, and its confirmation says so', async () => {
  await settings.update(ACME, { scope: 'sender', displayName: 'Acme' });
  await sent(S1, recipient, ACME);
  await texts(S1, 'stop');
  await settle(() => replies.length === 1);
  expect(blocked(ACME, S1)).toBe(true);
  expect(blocked(ACME, S2)).toBe(false);
  expect(replies[0]?.body).toBe('No more messages from this number of Acme; its other numbers may still write.');
  await settings.update(ACME, { scope: null });
  expect((await settings.of(ACME)).scope).toBe('account');
});

it('the latest account to message the recipient from a shared number is the one a STOP answers', async () => {
  await sent(S1, recipient, OTHER);
  await sent(S1, recipient, ACME);
  // An older dispatch arriving late does not take the pair back.
  await sut.handle(record(TOPICS.dispatch, dispatch(S1, recipient, OTHER, new Date(Date.now() - 60_000))));
  expect(await recent.accountOf(S1, recipient)).toBe(ACME);
  await texts(S1, 'STOP');
  await settle(() => replies.length === 1);
  expect(blocked(ACME, S2)).toBe(true);
  expect(blocked(OTHER, S1)).toBe(false);
});

it('a dispatch without an account belongs to the default account', async () => {
  await sut.handle(record(TOPICS.dispatch, dispatch(S1, recipient, undefined)));
  await texts(S1, 'STOP');
  await settle(() => replies.length === 1);
  expect(blocked(DEFAULT_ACCOUNT_ID, S2)).toBe(true);
  expect(blocked(ACME, S1)).toBe(false);
});

it('STOPALL blocks every account, and its confirmation says so', async () => {
  await sent(S1, recipient, ACME);
  await texts(S1, 'STOPALL');
  await settle(() => replies.length === 1);
  expect(blocked(ACME, S2)).toBe(true);
  expect(blocked(OTHER, S2)).toBe(true);
  expect(replies[0]?.body).toBe(DEFAULTS.stopAllReply);
});

it('a STOP no account can be found for blocks every account (fail closed) and says so in the audit', async () => {
  await texts(S2, 'STOP');
  await settle(() => replies.length === 1);
  expect(blocked(ACME, S1)).toBe(true);
  expect(blocked(OTHER, null)).toBe(true);
  const [audit] = await db.query<{ account_id: string; reason: string }[]>(
    'SELECT account_id, reason FROM opt_out_audit WHERE number = ?',
    [recipient],
  );
  expect(audit?.account_id).toBe('*');
  expect(audit?.reason).toMatch(/no account known .*every account blocked/);
  expect(replies[0]).toEqual(expect.objectContaining({ body: 'No more messages from this service.' }));
  // Intake requires an account on sms.send.v1: the reply to an unattributed STOP goes out in the default one.
  expect(replies[0]?.accountId).toBe(DEFAULT_ACCOUNT_ID);
  // The confirmation's own dispatch (written under the default account) does not attribute the pair ...
  const confirmation = { ...dispatch(S2, recipient, undefined), messageId: replies[0]?.id };
  await sut.handle(record(TOPICS.dispatch, confirmation));
  expect(await recent.accountOf(S2, recipient)).toBeNull();
  // ... and a repeated STOP, or one an account's entry would add under the wider one, is not confirmed again.
  await texts(S2, 'STOP');
  await sent(S2, recipient, ACME);
  await texts(S2, 'STOP');
  await settle(() => false);
  expect(replies).toHaveLength(1);
  const entries = await db.query<unknown[]>('SELECT id FROM opt_outs WHERE number = ?', [recipient]);
  expect(entries).toHaveLength(1);
});

it('START undoes the account’s STOP and a STOPALL, and leaves other accounts’ entries alone', async () => {
  await sent(S1, recipient, ACME);
  await sent(S2, recipient, OTHER);
  await texts(S1, 'STOP');
  await texts(S2, 'STOP');
  await texts(S1, 'STOPALL');
  await settle(() => replies.length === 3);
  await texts(S1, 'START');
  await settle(() => replies.length === 4);
  expect(blocked(ACME, S1)).toBe(false);
  expect(blocked(OTHER, S2)).toBe(true);
  expect(replies[3]).toEqual(expect.objectContaining({ body: 'Welcome back to this service.', accountId: ACME }));
  // A second START finds nothing to undo: no second confirmation.
  await texts(S1, 'START');
  await settle(() => false);
  expect(replies).toHaveLength(4);
});

it('START to a number no account is known for undoes only every-account entries', async () => {
  await sent(S1, recipient, ACME);
  await texts(S1, 'STOP');
  await texts(S2, 'STOP');
  await settle(() => replies.length === 2);
  await texts(S2, 'START');
  await settle(() => replies.length === 3);
  expect(blocked(OTHER, S2)).toBe(false);
  expect(blocked(ACME, S2)).toBe(true);
});

it('HELP is answered from the number texted, naming the account, even after a STOP', async () => {
  await settings.update(ACME, { displayName: 'Acme' });
  await sent(S1, recipient, ACME);
  await texts(S1, 'STOP');
  await texts(S1, 'HELP');
  await settle(() => replies.length === 2);
  expect(replies[1]).toEqual(expect.objectContaining({ from: S1, body: 'Help from Acme.', accountId: ACME }));
  await settle(() => !replica.isOptedOutNow({ recipient, sender: S1, accountId: ACME, messageId: replies[1]?.id }));
  expect(replica.isOptedOutNow({ recipient, sender: S1, accountId: ACME, messageId: replies[1]?.id })).toBe(false);
});

it('a provider-reported opt-out follows the message’s account (the event’s; none named: the default)', async () => {
  const status = (accountId?: string) =>
    statusRecord({
      eventId: randomUUID(),
      messageId: randomUUID(),
      kind: StatusEventKind.Failed,
      source: StatusEventSource.SendWorker,
      provider: 'twilio',
      errorCode: '21610',
      errorClass: 'opted_out',
      recipient,
      sender: S1,
      occurredAt: new Date().toISOString(),
      ...(accountId ? { accountId } : {}),
    } as never);
  await sent(S1, recipient, ACME);
  // A status record from before accounts decodes in the default account, where its message was migrated;
  // the recent-senders index is not consulted for it.
  const unnamed = status();
  await sut.handle(record(TOPICS.optoutReported, unnamed.value, unnamed.headers));
  await settle(() => blocked(DEFAULT_ACCOUNT_ID, S2));
  expect(blocked(DEFAULT_ACCOUNT_ID, S2)).toBe(true);
  expect(blocked(ACME, S2)).toBe(false);
  expect(blocked(OTHER, S1)).toBe(false);
  await settings.update(OTHER, { scope: 'sender' });
  const named = status(OTHER);
  await sut.handle(record(TOPICS.optoutReported, named.value, named.headers));
  await settle(() => blocked(OTHER, S1));
  expect(blocked(OTHER, S1)).toBe(true);
  expect(blocked(OTHER, S2)).toBe(false);
  const sources = await db.query<{ source: string }[]>('SELECT source FROM opt_outs WHERE number = ?', [recipient]);
  expect(sources.map((s) => s.source)).toEqual(['provider', 'provider']);
  expect(replies).toHaveLength(0);
});

it('a participant’s STOP to their masked number answers the session’s account', async () => {
  masks.apply({
    kind: 'assignment',
    poolNumber: POOL,
    participant: recipient,
    active: true,
    maskId: randomUUID(),
    destination: '+14155550101',
    sender: POOL,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    accountId: ACME,
    occurredAt: new Date().toISOString(),
  });
  await texts(POOL, 'STOP');
  await settle(() => replies.length === 1);
  expect(blocked(ACME, S1)).toBe(true);
  expect(blocked(OTHER, S1)).toBe(false);
  expect(replies[0]).toEqual(expect.objectContaining({ from: POOL, to: recipient, accountId: ACME }));
});

it('over the real Kafka broker: a dispatch, then a STOP, reach a replica as an account-scoped block', async () => {
  const suffix = `optout-it-${randomUUID().slice(0, 8)}`;
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const kafka = new KafkaBus({ brokers, clientId: suffix, logger: silentBusLogger });
  const names = [TOPICS.dispatch, TOPICS.inbound, TOPICS.optout, TOPICS.send];
  const renamed = (topic: string) => `${topic}.${suffix}`;
  const scoped: Bus = {
    publish: (records: readonly BusRecord[]) => kafka.publish(records.map((r) => ({ ...r, topic: renamed(r.topic) }))),
    subscribe: (options) =>
      kafka.subscribe({
        ...options,
        topics: options.topics.map(renamed),
        handler: (r) => options.handler({ ...r, topic: r.topic.slice(0, -(suffix.length + 1)) }),
      }),
    close: () => kafka.close(),
    isReady: () => kafka.isReady(),
    awaitCapacity: () => kafka.awaitCapacity(),
    consumerLag: () => kafka.consumerLag(),
    replayDeadLetters: (request) => kafka.replayDeadLetters(request),
  };
  try {
    await kafka.ensureTopics(names.map((topic) => ({ topic: renamed(topic), numPartitions: 3 })));
    const viaKafka = consumerOn(scoped);
    const kafkaReplica = new OptOutReplica();
    await scoped.subscribe({
      groupId: `${suffix}-opt-out`,
      topics: [TOPICS.dispatch, TOPICS.inbound],
      handler: viaKafka.handle,
    });
    await scoped.subscribe({
      groupId: `${suffix}-replica`,
      topics: [TOPICS.optout],
      handler: async (r) => kafkaReplica.apply(decodeEvent(OptOutChangedV1, r.value)),
    });
    await scoped.publish([{ topic: TOPICS.dispatch, key: S1, value: dispatch(S1, recipient, ACME) }]);
    await settle(() => false);
    for (let i = 0; i < 100 && (await recent.accountOf(S1, recipient)) === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await scoped.publish([{ topic: TOPICS.inbound, key: recipient, value: inbound(recipient, S1, 'STOP') }]);
    const check = (accountId: string, sender: string) => kafkaReplica.isOptedOutNow({ recipient, sender, accountId });
    for (let i = 0; i < 200 && !check(ACME, S2); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(check(ACME, S2)).toBe(true);
    expect(check(OTHER, S1)).toBe(false);
  } finally {
    await kafka.close();
    const admin = new Kafka({ clientId: `${suffix}-admin`, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: names.flatMap((t) => [renamed(t), `${renamed(t)}.dlq`]) })
      .catch(() => undefined);
    await admin.disconnect();
  }
});
