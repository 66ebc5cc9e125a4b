/**
 * Admission as the distributed mode runs it: two intake replicas, each with its own Redis connection
 * and its own limits cache, over one MariaDB `account_limits` table (the real migrations). They must
 * share every count: one account's quota is one quota however many replicas take its traffic.
 */
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisKeyValueStore } from '@sms/counters';
import { StatusEventKind, StatusEventSource } from '@sms/contracts';
import { ApiError, loadConfig } from '@sms/platform';
import { type OpenSlice } from '@sms/testing-slices';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { validateMessageRequest } from '../messages/message-request.validator';
import { Admission } from './admission';
import { defaultAccountLimits } from './limit-policy';
import { LimitsStore } from './limits.store';
import { PriceBookReader } from './price-book.reader';
import { PumpingGuard } from './pumping-guard';

jest.setTimeout(60_000);

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NAMESPACE = `sms-it:${randomUUID().slice(0, 8)}:`;
const DEFAULTS = defaultAccountLimits(loadConfig({}).intake.limits);

let slice: OpenSlice;
let dataSource: DataSource;
const stores: RedisKeyValueStore[] = [];

function replica(): { admission: Admission; store: LimitsStore } {
  const kv = new RedisKeyValueStore({ url: REDIS_URL });
  stores.push(kv);
  const store = new LimitsStore(dataSource, DEFAULTS, 5_000);
  const admission = new Admission(
    kv,
    store,
    new PriceBookReader(kv, NAMESPACE, 'USD', 50_000),
    new PumpingGuard(kv, {
      namespace: NAMESPACE,
      windowMs: 60_000,
      sequentialRecipients: 6,
      prefixDigits: 3,
      highCostMicros: 1_000_000,
      highCostRecipients: 100,
      blockMs: 60_000,
    }),
    { enabled: true, namespace: NAMESPACE, currency: 'USD' },
  );

  return { admission, store };
}

const send = (to: string) => ({
  accountId: '',
  keyId: null,
  messageId: randomUUID(),
  message: validateMessageRequest({ to, body: 'hello' }),
});

async function outcome(run: Promise<unknown>): Promise<string> {
  try {
    await run;

    return 'admitted';
  } catch (error) {
    if (error instanceof ApiError) {
      return error.code;
    }
    throw error;
  }
}

beforeAll(async () => {
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`sms:${NAMESPACE}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
  await slice?.close();
});

it('stores account and key limits in account_limits and reads them back through a fresh replica', async () => {
  const account = randomUUID();
  const key = randomUUID();
  const writer = replica().store;
  await writer.putAccount(account, {
    ...DEFAULTS,
    messagesPerDay: 7,
    spendPerMonthMicros: 12_500_000,
    allowedCountries: ['GB', 'US'],
  });
  await writer.putKey(account, key, {
    messagesPerSecond: 1,
    messagesPerDay: null,
    segmentsPerDay: null,
    spendPerDayMicros: null,
    spendPerMonthMicros: null,
    allowedCountries: null,
    blockedCountries: ['US'],
    numberTypes: ['MOBILE'],
  });
  const read = await replica().store.forAccount(account);

  expect(read.stored).toBe(true);
  expect(read.account).toMatchObject({
    messagesPerDay: 7,
    spendPerMonthMicros: 12_500_000,
    allowedCountries: ['GB', 'US'],
  });
  expect(read.keys.get(key)).toMatchObject({
    messagesPerSecond: 1,
    blockedCountries: ['US'],
    numberTypes: ['MOBILE'],
    allowedCountries: null,
  });
  expect((await replica().store.forAccount(randomUUID())).stored).toBe(false);
});

it('two replicas share one daily count: exactly the limit is admitted across both', async () => {
  const account = randomUUID();
  const a = replica();
  const b = replica();
  await a.store.putAccount(account, { ...DEFAULTS, messagesPerDay: 10 });
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      outcome((i % 2 === 0 ? a : b).admission.admit({ ...send('+12025550123'), accountId: account }, 'topic')),
    ),
  );

  expect(results.filter((r) => r === 'admitted')).toHaveLength(10);
  expect(results.filter((r) => r === 'DAILY_LIMIT_REACHED')).toHaveLength(20);
});

it('two replicas share the pumping guard: a burst split between them is one burst', async () => {
  const account = randomUUID();
  const a = replica();
  const b = replica();
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  try {
    const results: string[] = [];
    for (let n = 0; n < 7; n++) {
      const to = `+447400300${String(n).padStart(3, '0')}`;
      results.push(await outcome((n % 2 === 0 ? a : b).admission.admit({ ...send(to), accountId: account }, 'rest')));
    }

    expect(results).toEqual([
      'admitted',
      'admitted',
      'admitted',
      'admitted',
      'admitted',
      'PUMPING_SUSPECTED',
      'PUMPING_SUSPECTED',
    ]);
  } finally {
    warn.mockRestore();
  }
});

it('corrects spend on one replica for a message another admitted, once', async () => {
  const account = randomUUID();
  const a = replica();
  const b = replica();
  await a.store.putAccount(account, { ...DEFAULTS, spendPerDayMicros: 100_000 });
  const first = { ...send('+12025550123'), accountId: account };
  await a.admission.admit(first, 'rest');
  // Priced at the default 0.05 (no price book in this namespace): a second fits, a third would not.
  await b.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest');
  expect(await outcome(a.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe(
    'SPEND_CAP_REACHED',
  );
  const sent = {
    eventId: randomUUID(),
    messageId: first.messageId,
    kind: StatusEventKind.Sent,
    source: StatusEventSource.SendWorker,
    attempt: 0,
    provider: 'twilio',
    providerMessageId: 'SM1',
    errorCode: null,
    errorMessage: null,
    errorClass: null,
    ambiguous: null,
    cost: '0.0100',
    currency: 'USD',
    detail: null,
    occurredAt: new Date().toISOString(),
  };
  await Promise.all([b.admission.reconcile(sent), a.admission.reconcile(sent)]);

  // 0.01 + 0.05 booked: 0.04 left, less than one more message at 0.05.
  expect(await outcome(b.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe(
    'SPEND_CAP_REACHED',
  );
  await b.store.putAccount(account, { ...DEFAULTS, spendPerDayMicros: 110_000 });
  expect(await outcome(b.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe('admitted');
});

it('gives back the spend of a message cancelled or expired before any send, once', async () => {
  const account = randomUUID();
  const a = replica();
  const b = replica();
  await a.store.putAccount(account, { ...DEFAULTS, spendPerDayMicros: 100_000 });
  const cancelled = { ...send('+12025550123'), accountId: account };
  const expired = { ...send('+12025550123'), accountId: account };
  await a.admission.admit(cancelled, 'rest');
  await a.admission.admit(expired, 'rest');
  // Priced at the default 0.05: the cap of 0.10 is spent.
  expect(await outcome(b.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe(
    'SPEND_CAP_REACHED',
  );

  // Intake cancelled one itself (on two replicas at once: refunded once); the router expired the other.
  await Promise.all([a.admission.refundUnsent(cancelled.messageId), b.admission.refundUnsent(cancelled.messageId)]);
  await b.admission.reconcile({
    eventId: randomUUID(),
    messageId: expired.messageId,
    kind: StatusEventKind.Expired,
    source: StatusEventSource.Router,
    attempt: 1,
    provider: null,
    providerMessageId: null,
    errorCode: 'VALIDITY_EXPIRED',
    errorMessage: null,
    errorClass: 'permanent',
    ambiguous: false,
    cost: null,
    currency: null,
    detail: null,
    occurredAt: new Date().toISOString(),
  });

  expect(await outcome(b.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe('admitted');
  expect(await outcome(a.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe('admitted');
  expect(await outcome(a.admission.admit({ ...send('+12025550123'), accountId: account }, 'rest'))).toBe(
    'SPEND_CAP_REACHED',
  );
});
