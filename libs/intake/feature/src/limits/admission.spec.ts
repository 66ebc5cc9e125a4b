import { Logger } from '@nestjs/common';
import { MemoryKeyValueStore, priceBookKey } from '@sms/counters';
import { StatusEventKind, StatusEventSource, type StatusChangedV1 } from '@sms/contracts';
import { metrics } from '@sms/metrics';
import { ApiError, loadConfig } from '@sms/platform';
import { validateMessageRequest } from '../messages/message-request.validator';
import { Admission, type AdmissionRequest } from './admission';
import { type AccountLimits, defaultAccountLimits, type KeyLimits } from './limit-policy';
import { counterKey, windowsAt } from './limit-windows';
import type { AccountLimitSet, LimitsStore } from './limits.store';
import { PriceBookReader } from './price-book.reader';
import { PumpingGuard } from './pumping-guard';

const NS = 'ns:';
const ACCOUNT = '11111111-1111-4111-8111-111111111111';
const KEY = '22222222-2222-4222-8222-222222222222';
const NOON = Date.UTC(2026, 11, 6, 12, 0, 0, 250);
const DEFAULTS = defaultAccountLimits(loadConfig({}).intake.limits);
const UNLIMITED: AccountLimits = {
  ...DEFAULTS,
  messagesPerSecond: null,
  messagesPerDay: null,
  segmentsPerDay: null,
  spendPerDayMicros: null,
  spendPerMonthMicros: null,
};
const NO_KEY_LIMITS: KeyLimits = {
  messagesPerSecond: null,
  messagesPerDay: null,
  segmentsPerDay: null,
  spendPerDayMicros: null,
  spendPerMonthMicros: null,
  allowedCountries: null,
  blockedCountries: null,
  numberTypes: null,
};

let seq = 0;
const request = (to = '+447400123456', body = 'hello', keyId: string | null = KEY): AdmissionRequest => ({
  accountId: ACCOUNT,
  keyId,
  messageId: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  message: validateMessageRequest({ to, body }),
});

async function refusal(run: Promise<unknown>): Promise<ApiError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof ApiError) {
      return error;
    }
    throw error;
  }
  throw new Error('was not refused');
}

describe(Admission.name, () => {
  let now: number;
  let kv: MemoryKeyValueStore;
  let limits: AccountLimitSet;
  let admission: Admission;
  const counter = (
    kind: Parameters<typeof counterKey>[2],
    scope: { account: string } | { key: string } = { account: ACCOUNT },
  ) => {
    const windows = windowsAt(now);
    const window = kind === 'messages-second' ? windows.second : kind === 'spend-month' ? windows.month : windows.day;

    return kv.get(counterKey(NS, scope, kind, window)).then((value) => Number(value ?? 0));
  };
  const use = (account: Partial<AccountLimits>, keys: [string, Partial<KeyLimits>][] = []): void => {
    limits = {
      account: { ...UNLIMITED, ...account },
      stored: true,
      keys: new Map(keys.map(([id, key]) => [id, { ...NO_KEY_LIMITS, ...key }])),
    };
  };

  beforeEach(async () => {
    now = NOON;
    kv = new MemoryKeyValueStore(() => now);
    await kv.set(
      priceBookKey(NS),
      JSON.stringify({ maxPerSegmentMicros: { USD: { GB: 45_000, NG: 125_000 } }, publishedAt: '' }),
      60_000,
    );
    use({});
    const store = { forAccount: () => Promise.resolve(limits) } as unknown as LimitsStore;
    admission = new Admission(
      kv,
      store,
      new PriceBookReader(kv, NS, 'USD', 100_000, () => now),
      new PumpingGuard(
        kv,
        {
          namespace: NS,
          windowMs: 600_000,
          sequentialRecipients: 1000,
          prefixDigits: 3,
          highCostMicros: 1_000_000,
          highCostRecipients: 1000,
          blockMs: 60_000,
        },
        () => now,
      ),
      { enabled: true, namespace: NS, currency: 'USD' },
      () => now,
    );
  });

  afterEach(() => kv.close());

  it('admits within every limit and counts messages, segments and priced spend', async () => {
    use({ messagesPerSecond: 10, messagesPerDay: 10, segmentsPerDay: 10, spendPerDayMicros: 1_000_000 });
    await admission.admit(request('+447400123456', 'x'.repeat(161)), 'rest');

    expect(await counter('messages-second')).toBe(1);
    expect(await counter('messages-day')).toBe(1);
    expect(await counter('segments-day')).toBe(2);
    expect(await counter('spend-day')).toBe(90_000);
    expect(await counter('spend-month')).toBe(90_000);
  });

  it('answers 429 RATE_LIMITED with Retry-After 1 over the per-second rate, and the next second admits', async () => {
    use({ messagesPerSecond: 2 });
    await admission.admit(request(), 'rest');
    await admission.admit(request(), 'rest');
    const error = await refusal(admission.admit(request(), 'rest'));

    expect([error.status, error.code, error.headers['retry-after']]).toEqual([429, 'RATE_LIMITED', '1']);
    now += 1000;
    await admission.admit(request(), 'rest');
  });

  it('answers 429 DAILY_LIMIT_REACHED until midnight UTC, for messages and for segments', async () => {
    use({ messagesPerDay: 1 });
    await admission.admit(request(), 'rest');
    const messages = await refusal(admission.admit(request(), 'rest'));

    expect([messages.status, messages.code, messages.headers['retry-after']]).toEqual([
      429,
      'DAILY_LIMIT_REACHED',
      String(12 * 3600),
    ]);
    use({ segmentsPerDay: 2 });
    expect((await refusal(admission.admit(request('+447400123456', 'y'.repeat(200)), 'rest'))).code).toBe(
      'DAILY_LIMIT_REACHED',
    );
    now = Date.UTC(2026, 11, 7, 0, 0, 1);
    use({ messagesPerDay: 1 });
    await admission.admit(request(), 'rest');
  });

  it('answers 429 SPEND_CAP_REACHED when the priced message would pass the day or month cap', async () => {
    use({ spendPerDayMicros: 100_000 });
    await admission.admit(request(), 'rest');
    await admission.admit(request(), 'rest');
    const day = await refusal(admission.admit(request(), 'rest'));

    expect([day.code, day.headers['retry-after']]).toEqual(['SPEND_CAP_REACHED', String(12 * 3600)]);
    use({ spendPerMonthMicros: 100_000 });
    const month = await refusal(admission.admit(request(), 'rest'));
    expect([month.code, Number(month.headers['retry-after'])]).toEqual(['SPEND_CAP_REACHED', 25 * 86400 + 12 * 3600]);
  });

  it('prices a country without a rate at the default', async () => {
    await admission.admit(request('+4915112345678'), 'rest');

    expect(await counter('spend-day')).toBe(100_000);
  });

  it('consumes nothing for a refused request', async () => {
    use({ messagesPerSecond: 100, messagesPerDay: 100, segmentsPerDay: 100, spendPerDayMicros: 50_000 });
    await admission.admit(request(), 'rest');
    await refusal(admission.admit(request(), 'rest'));

    expect([await counter('messages-second'), await counter('messages-day'), await counter('spend-day')]).toEqual([
      1, 1, 45_000,
    ]);
  });

  it('refuses a country the account may not send to with 422 COUNTRY_NOT_PERMITTED', async () => {
    use({ allowedCountries: ['US'] });
    const error = await refusal(admission.admit(request(), 'rest'));

    expect([error.status, error.code, error.field]).toEqual([422, 'COUNTRY_NOT_PERMITTED', 'to']);
    use({});
    expect((await refusal(admission.admit(request('+994501234567'), 'rest'))).code).toBe('COUNTRY_NOT_PERMITTED');
    expect(await counter('messages-day')).toBe(0);
  });

  it('refuses premium-rate and shared-cost numbers by default with 422 NUMBER_TYPE_NOT_PERMITTED', async () => {
    const premium = await refusal(admission.admit(request('+449098790000'), 'rest'));
    const shared = await refusal(admission.admit(request('+33810123456'), 'rest'));

    expect([premium.status, premium.code, shared.code]).toEqual([
      422,
      'NUMBER_TYPE_NOT_PERMITTED',
      'NUMBER_TYPE_NOT_PERMITTED',
    ]);
    use({ numberTypes: [...DEFAULTS.numberTypes, 'PREMIUM_RATE'] });
    await admission.admit(request('+449098790000'), 'rest');
  });

  it("counts a key with limits of its own on its own counters as well as the account's", async () => {
    use({ messagesPerDay: 5 }, [[KEY, { messagesPerDay: 2 }]]);
    await admission.admit(request(), 'rest');
    await admission.admit(request(), 'rest');

    expect((await refusal(admission.admit(request(), 'rest'))).code).toBe('DAILY_LIMIT_REACHED');
    // The account's other traffic still has room: 2 of its 5 are used.
    await admission.admit(request('+447400123456', 'hi', null), 'topic');
    expect([await counter('messages-day'), await counter('messages-day', { key: KEY })]).toEqual([3, 2]);
  });

  it('gives back what a message consumed when it is released', async () => {
    use({ messagesPerDay: 1 });
    const ticket = await admission.admit(request(), 'rest');
    const incrementBy = jest.spyOn(kv, 'incrementBy');
    await admission.release(ticket);

    expect([await counter('messages-day'), await counter('spend-day')]).toEqual([0, 0]);
    // Every counter given back by one store call.
    expect(incrementBy).not.toHaveBeenCalled();
    await admission.admit(request(), 'rest');
  });

  it('counts the quotas and books the spend in one store call, and books nothing when refused', async () => {
    use({ messagesPerDay: 1 });
    const within = jest.spyOn(kv, 'incrementWithinLimits');
    const setIfAbsent = jest.spyOn(kv, 'setIfAbsent');
    const first = request();
    const admitted = await admission.admit(first, 'rest');
    const refused = request();
    await refusal(admission.admit(refused, 'rest'));

    expect([within.mock.calls.length, setIfAbsent.mock.calls.length]).toEqual([0, 0]);
    expect(admitted?.bookingKey).toBe(`${NS}limits:booking:${first.messageId}`);
    expect(await kv.get(`${NS}limits:booking:${first.messageId}`)).not.toBeNull();
    expect(await kv.get(`${NS}limits:booking:${refused.messageId}`)).toBeNull();
  });

  it('keeps the first booking of a message admitted again (a redelivered record), and does not own it', async () => {
    const first = request();
    const again = { ...first, message: validateMessageRequest({ to: '+447400123456', body: 'x'.repeat(200) }) };
    const ticket = await admission.admit(first, 'topic');
    const repeat = await admission.admit(again, 'topic');

    expect([ticket?.bookingKey, repeat?.bookingKey]).toEqual([`${NS}limits:booking:${first.messageId}`, null]);
    expect(JSON.parse((await kv.get(`${NS}limits:booking:${first.messageId}`)) ?? '{}')).toMatchObject({ e: 45_000 });
  });

  it('counts refusals by code and path', async () => {
    use({ messagesPerSecond: 0 });
    const read = async (): Promise<number> =>
      (await metrics.limitRefusals.get()).values.find(
        (v) => v.labels.code === 'RATE_LIMITED' && v.labels.path === 'topic',
      )?.value ?? 0;
    const before = await read();
    await refusal(admission.admit(request(), 'topic'));

    expect((await read()) - before).toBe(1);
  });

  it('answers 503 on REST and rethrows on the topic when the counters store fails', async () => {
    // A priced message counts its quotas and books its spend in one call.
    jest.spyOn(kv, 'incrementWithinLimitsAndSet').mockRejectedValue(new Error('redis down'));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const error = await refusal(admission.admit(request(), 'rest'));

      expect([error.status, error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      await expect(admission.admit(request(), 'topic')).rejects.toThrow('redis down');
    } finally {
      warn.mockRestore();
    }
  });

  it('does nothing when limits are disabled', async () => {
    const disabled = new Admission(
      kv,
      { forAccount: () => Promise.reject(new Error('not read')) } as unknown as LimitsStore,
      new PriceBookReader(kv, NS, 'USD', 0),
      new PumpingGuard(kv, {} as never),
      { enabled: false, namespace: NS, currency: 'USD' },
    );

    expect(await disabled.admit(request('+449098790000'), 'rest')).toBeNull();
  });

  describe('spend reconciliation', () => {
    const status = (
      messageId: string,
      kind: StatusEventKind,
      cost: string | null,
      currency = 'USD',
    ): StatusChangedV1 => ({
      eventId: `e-${++seq}`,
      messageId,
      kind,
      source: StatusEventSource.SendWorker,
      attempt: 0,
      provider: 'twilio',
      providerMessageId: 'p-1',
      errorCode: null,
      errorMessage: null,
      errorClass: null,
      ambiguous: null,
      cost,
      currency: cost === null ? null : currency,
      detail: null,
      occurredAt: new Date(now).toISOString(),
    });

    it('corrects the estimate by the real cost once, however often the event arrives', async () => {
      use({}, [[KEY, { spendPerDayMicros: 10_000_000 }]]);
      const sent = request();
      await admission.admit(sent, 'rest');
      expect(await counter('spend-day')).toBe(45_000);
      const event = status(sent.messageId, StatusEventKind.Sent, '0.0400');
      await admission.reconcile(event);
      await admission.reconcile(event);

      expect([
        await counter('spend-day'),
        await counter('spend-month'),
        await counter('spend-day', { key: KEY }),
      ]).toEqual([40_000, 40_000, 40_000]);
    });

    it("corrects the account's and the key's day and month counters in one store call", async () => {
      use({}, [[KEY, { spendPerDayMicros: 10_000_000 }]]);
      const sent = request();
      await admission.admit(sent, 'rest');
      const take = jest.spyOn(kv, 'take');
      const within = jest.spyOn(kv, 'incrementWithinLimits');
      const incrementBy = jest.spyOn(kv, 'incrementBy');
      await admission.reconcile(status(sent.messageId, StatusEventKind.Sent, '0.0400'));

      expect([take.mock.calls.length, within.mock.calls.length, incrementBy.mock.calls.length]).toEqual([1, 1, 0]);
      expect(within.mock.calls[0]?.[0].map((check) => [check.by, check.limit])).toEqual([
        [-5_000, null],
        [-5_000, null],
        [-5_000, null],
        [-5_000, null],
      ]);
      expect(await counter('spend-month', { key: KEY })).toBe(40_000);
    });

    it('corrects into the day it was booked on, even after midnight', async () => {
      const sent = request();
      await admission.admit(sent, 'rest');
      const bookedDay = counterKey(NS, { account: ACCOUNT }, 'spend-day', windowsAt(now).day);
      now = Date.UTC(2026, 11, 7, 0, 5);
      await admission.reconcile(status(sent.messageId, StatusEventKind.Sent, '0.0500'));

      expect(await kv.get(bookedDay)).toBe('50000');
      expect(await counter('spend-day')).toBe(0);
    });

    it('refunds the estimate of a message that failed without being sent', async () => {
      const failed = request();
      await admission.admit(failed, 'rest');
      await admission.reconcile({
        ...status(failed.messageId, StatusEventKind.Failed, null),
        source: StatusEventSource.Router,
      });

      expect(await counter('spend-day')).toBe(0);
    });

    it('keeps the estimate when a receipt says failed: the send may have been charged', async () => {
      const failed = request();
      await admission.admit(failed, 'rest');
      await admission.reconcile({
        ...status(failed.messageId, StatusEventKind.Failed, null),
        source: StatusEventSource.Dlr,
      });

      expect(await counter('spend-day')).toBe(45_000);
    });

    it('keeps the estimate for a cost in another currency, and ignores statuses without cost', async () => {
      const a = request();
      const b = request();
      await admission.admit(a, 'rest');
      await admission.admit(b, 'rest');
      await admission.reconcile(status(a.messageId, StatusEventKind.Sent, '0.0100', 'EUR'));
      await admission.reconcile(status(b.messageId, StatusEventKind.Delivered, null));
      await admission.reconcile(status(b.messageId, StatusEventKind.Sent, null));

      expect(await counter('spend-day')).toBe(90_000);
    });
  });
});
