/**
 * The callback dispatcher on MariaDB without its fallback poll: concurrent changes recorded in one
 * INSERT (a redelivered one reported as known, the others stored), new changes delivered on their
 * wake-up, and a failed delivery retried when its own timer fires, not by polling.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ACCOUNT_ID, MessageStatus, type MessageTransitionV1 } from '@sms/contracts';
import { createServiceDataSource, migrateSlice } from '@sms/persistence';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { DLR_PROCESSOR_ENTITIES, DLR_PROCESSOR_MIGRATIONS } from '../dlr-processor.module';
import { CallbackClient } from './callback.client';
import { CallbackDispatcher } from './callback.dispatcher';

let db: TestDatabase;
let dataSource: DataSource;
let server: Server;
let url: string;
let answers: number[];
const received: { status: string; at: number }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ status: (JSON.parse(body) as { status: string }).status, at: Date.now() });
      response.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  db = await createTestDatabase();
  await migrateSlice(db.url, 'dlr-processor', DLR_PROCESSOR_MIGRATIONS);
  dataSource = await createServiceDataSource({
    service: 'dlr-processor',
    database: { kind: 'mysql', url: db.url, poolSize: 4 },
    entities: DLR_PROCESSOR_ENTITIES,
    migrations: DLR_PROCESSOR_MIGRATIONS,
  }).initialize();
  received.length = 0;
  answers = [];
});

afterEach(async () => {
  await dataSource.destroy();
  await db.drop();
});

const dispatcher = (): CallbackDispatcher =>
  new CallbackDispatcher(
    dataSource,
    new CallbackClient({ secret: 's', allowInsecure: true, allowedPorts: [], timeoutMs: 2_000 }),
    // An hour between polls: anything delivered within the test was woken, not polled.
    { retryWindowMs: 3_600_000, baseDelayMs: 300, maxDelayMs: 300, pollIntervalMs: 3_600_000 },
  );

const transition = (messageId: string, status: MessageStatus, previousStatus: MessageStatus): MessageTransitionV1 => ({
  eventId: randomUUID(),
  accountId: DEFAULT_ACCOUNT_ID,
  messageId,
  status,
  previousStatus,
  errorCode: null,
  errorMessage: null,
  at: new Date().toISOString(),
  callbackUrl: url,
  clientReference: null,
});

async function waitFor<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== null) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const states = (): Promise<{ state: string; attempts: number }[]> =>
  dataSource.query('SELECT state, attempts FROM callback_deliveries ORDER BY seq');

it('records concurrent changes together, a redelivered one as known, and delivers them in order when woken', async () => {
  const callbacks = dispatcher();
  callbacks.start();
  const messageId = randomUUID();
  const sent = transition(messageId, MessageStatus.Sent, MessageStatus.Queued);
  const delivered = transition(messageId, MessageStatus.Delivered, MessageStatus.Sent);
  const insert = jest.spyOn(dataSource.manager, 'query');

  const recorded = await Promise.all([
    callbacks.enqueue(sent),
    callbacks.enqueue(delivered),
    callbacks.enqueue(delivered),
  ]);

  expect(recorded.filter((stored) => stored).length).toBe(2);
  expect(recorded[0]).toBe(true);
  const inserts = insert.mock.calls.filter(([sql]) => String(sql).startsWith('INSERT INTO callback_deliveries'));
  // The first alone, then the two that waited for it together; their batch failed on the repeated key
  // and was retried row by row.
  expect(inserts.map(([, parameters]) => (parameters as unknown[]).length / 16)).toEqual([1, 2, 1, 1]);
  const rows = await waitFor(async () => {
    const r = await states();

    return r.length === 2 && r.every((row) => row.state === 'delivered') ? r : null;
  }, 'both delivered');
  expect(rows.map((row) => Number(row.attempts))).toEqual([1, 1]);
  expect(received.map((r) => r.status)).toEqual(['sent', 'delivered']);
  await callbacks.stop();
});

it('retries a failed callback when its own retry falls due, with no poll in between', async () => {
  answers = [503];
  const callbacks = dispatcher();
  callbacks.start();
  await callbacks.enqueue(transition(randomUUID(), MessageStatus.Delivered, MessageStatus.Sent));

  const rows = await waitFor(async () => {
    const r = await states();

    return r[0]?.state === 'delivered' ? r : null;
  }, 'the retry delivered');
  expect(Number(rows[0]?.attempts)).toBe(2);
  expect(received).toHaveLength(2);
  // The retry waited for its backoff (150–300 ms with equal jitter), then went at once.
  const gap = (received[1]?.at ?? 0) - (received[0]?.at ?? 0);
  expect(gap).toBeGreaterThanOrEqual(140);
  expect(gap).toBeLessThan(3_000);
  await callbacks.stop();
});

it('after stop, a scheduled retry does not fire', async () => {
  answers = [503];
  const callbacks = dispatcher();
  callbacks.start();
  await callbacks.enqueue(transition(randomUUID(), MessageStatus.Delivered, MessageStatus.Sent));
  await waitFor(async () => (received.length === 1 ? true : null), 'the first attempt');
  await waitFor(async () => (Number((await states())[0]?.attempts) === 1 ? true : null), 'the attempt recorded');
  await callbacks.stop();

  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(received).toHaveLength(1);
  expect((await states())[0]?.state).toBe('pending');
});
