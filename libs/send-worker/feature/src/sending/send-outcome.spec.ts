import {
  decodeEvent,
  type DispatchRequestedV1,
  Encoding,
  StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
} from '@sms/contracts';
import { DeliveryStatus, ErrorClass, ProviderError } from '@sms/provider-port';
import { ambiguousEvent, failureEvent, optedOutEvent, sentEvent, totalCost } from './send-outcome';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const AT = new Date('2026-01-01T12:00:00.000Z');

const dispatch = (overrides: Partial<DispatchRequestedV1> = {}): DispatchRequestedV1 => ({
  messageId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  accountId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3',
  attempt: 2,
  provider: 'twilio',
  from: '+14155552671',
  to: '+447400123456',
  body: 'Your code is 123456',
  encoding: Encoding.Gsm7,
  segments: 3,
  validitySeconds: null,
  price: '0.0079',
  currency: 'USD',
  routeReason: 'cheapest active provider for GB',
  routedAt: AT.toISOString(),
  ...overrides,
});

describe(totalCost.name, () => {
  it.each<[string, number, string]>([
    ['0.0079', 3, '0.0237'],
    ['0.04', 10, '0.4000'],
    // 0.1 * 3 is 0.30000000000000004 in floating point.
    ['0.1', 3, '0.3000'],
    ['0.07', 100, '7.0000'],
    ['0.000125', 8, '0.0010'],
    ['1', 2, '2.0000'],
    ['12.5', 4, '50.0000'],
    ['0.0079', 1, '0.0079'],
    ['0.0079', 0, '0.0000'],
    ['0.0033', 10_000, '33.0000'],
    // Up to six decimals where the product needs them: never cut to four.
    ['0.00755', 3, '0.02265'],
    ['0.000001', 1, '0.000001'],
  ])('%s × %i = %s', (price, segments, expected) => {
    expect(totalCost(price, segments)).toBe(expected);
  });

  it('adds up exactly where floats drift: 0.0079 × n for every n up to 1,000', () => {
    for (let n = 1; n <= 1_000; n++) {
      const tenThousandths = 79 * n;
      const expected = `${Math.floor(tenThousandths / 10_000)}.${String(tenThousandths % 10_000).padStart(4, '0')}`;
      expect(totalCost('0.0079', n)).toBe(expected);
    }
  });

  it.each<[string, string | null]>([
    ['null', null],
    ['empty', ''],
    ['letters', 'abc'],
    ['negative', '-0.01'],
    ['exponent', '1e-3'],
    ['no leading digit', '.5'],
    ['trailing dot', '5.'],
    ['more than 6 decimals', '0.0000001'],
    ['a comma', '0,04'],
    ['spaces', ' 0.04'],
  ])('refuses a price that is %s (null)', (_name, price) => {
    expect(totalCost(price, 3)).toBeNull();
  });
});

describe(failureEvent.name, () => {
  it.each<[ErrorClass, boolean, StatusEventKind]>([
    [ErrorClass.Transient, false, StatusEventKind.Retry],
    [ErrorClass.Transient, true, StatusEventKind.Retry],
    [ErrorClass.Permanent, false, StatusEventKind.Undelivered],
    [ErrorClass.OptedOut, false, StatusEventKind.Undelivered],
    [ErrorClass.Configuration, false, StatusEventKind.Failed],
  ])('%s (ambiguous %s) → %s', (errorClass, ambiguous, kind) => {
    const error = new ProviderError(errorClass, '21610', 'provider said no', ambiguous);

    expect(failureEvent(dispatch(), error, AT)).toEqual({
      eventId: expect.stringMatching(UUID),
      messageId: dispatch().messageId,
      accountId: dispatch().accountId,
      kind,
      source: StatusEventSource.SendWorker,
      attempt: 2,
      provider: 'twilio',
      providerMessageId: null,
      errorCode: '21610',
      errorMessage: 'provider said no',
      errorClass,
      ambiguous,
      cost: null,
      currency: null,
      detail: null,
      occurredAt: AT.toISOString(),
      // Only an opted-out failure names the pair, for the opt-out service's ledger.
      ...(errorClass === ErrorClass.OptedOut ? { recipient: dispatch().to, sender: dispatch().from } : {}),
    });
  });

  it('optedOutEvent ends the message failed with RECIPIENT_OPTED_OUT, classed permanent so it is not re-recorded', () => {
    expect(optedOutEvent(dispatch(), AT)).toMatchObject({
      messageId: dispatch().messageId,
      kind: StatusEventKind.Failed,
      errorCode: 'RECIPIENT_OPTED_OUT',
      errorClass: ErrorClass.Permanent,
      attempt: 2,
    });
  });

  it.each<[string, unknown, string]>([
    ['an Error', new TypeError('socket hang up'), 'socket hang up'],
    ['a string', 'boom', 'unknown error'],
    ['undefined', undefined, 'unknown error'],
  ])('treats %s (not a ProviderError) as a transient, ambiguous ADAPTER_ERROR', (_name, error, message) => {
    expect(failureEvent(dispatch(), error, AT)).toMatchObject({
      kind: StatusEventKind.Retry,
      errorCode: 'ADAPTER_ERROR',
      errorMessage: message,
      errorClass: ErrorClass.Transient,
      ambiguous: true,
    });
  });

  it('cuts the code and message to the contract lengths', () => {
    const error = new ProviderError(ErrorClass.Permanent, 'C'.repeat(100), 'm'.repeat(1_000));
    const event = failureEvent(dispatch(), error, AT);

    expect([event.errorCode?.length, event.errorMessage?.length]).toEqual([64, 512]);
    expect(() => decodeEvent(StatusChangedV1, event)).not.toThrow();
  });

  it('gives every event its own id', () => {
    const error = new ProviderError(ErrorClass.Transient, 'TIMEOUT', 'timed out', true);
    const ids = new Set(Array.from({ length: 100 }, () => failureEvent(dispatch(), error, AT).eventId));

    expect(ids.size).toBe(100);
  });
});

describe(ambiguousEvent.name, () => {
  it('reports a retry that must stay with the provider', () => {
    expect(ambiguousEvent(dispatch(), AT)).toMatchObject({
      kind: StatusEventKind.Retry,
      errorCode: 'AMBIGUOUS_SUBMIT',
      errorClass: ErrorClass.Transient,
      ambiguous: true,
      provider: 'twilio',
      attempt: 2,
    });
  });
});

describe(sentEvent.name, () => {
  const result = { providerMessageId: 'SM123', status: DeliveryStatus.Sent };

  it('prices the message from the route when the provider reports no cost', () => {
    const event = sentEvent(dispatch(), result, AT);

    expect(event).toMatchObject({
      kind: StatusEventKind.Sent,
      providerMessageId: 'SM123',
      cost: '0.0237',
      currency: 'USD',
      // An estimate from the route's rate, with the rate it came from (docs/billing.md).
      costEstimated: true,
      unitPrice: '0.0079',
      detail: 'cheapest active provider for GB',
      errorClass: null,
      ambiguous: null,
    });
    expect(() => decodeEvent(StatusChangedV1, event)).not.toThrow();
  });

  it('carries the sender number the message went out from, or null when the provider chose it', () => {
    expect(sentEvent(dispatch(), result, AT).sender).toBe('+14155552671');
    expect(sentEvent(dispatch({ from: 'ACME' }), result, AT).sender).toBe('ACME');
    expect(sentEvent(dispatch({ from: '' }), result, AT).sender).toBeNull();
    expect(decodeEvent(StatusChangedV1, sentEvent(dispatch(), result, AT)).sender).toBe('+14155552671');
  });

  it("carries the route's country and network, for the router's quality per network", () => {
    const onNetwork = sentEvent(dispatch({ country: 'GB', network: '23430' }), result, AT);
    const unknown = sentEvent(dispatch({ country: 'GB', network: null }), result, AT);

    expect([onNetwork.country, onNetwork.network]).toEqual(['GB', '23430']);
    expect(decodeEvent(StatusChangedV1, onNetwork).network).toBe('23430');
    expect([unknown.country, unknown.network]).toEqual(['GB', undefined]);
  });

  it("prefers the provider's own cost and currency", () => {
    expect(sentEvent(dispatch(), { ...result, cost: '0.0300', currency: 'EUR' }, AT)).toMatchObject({
      cost: '0.0300',
      currency: 'EUR',
      costEstimated: false,
    });
  });

  it('has no cost when the route has no price', () => {
    expect(sentEvent(dispatch({ price: null, currency: null }), result, AT)).toMatchObject({
      cost: null,
      currency: null,
    });
  });

  it('carries exactly the fields it has values for: no estimate flag without a price, no route or parts unknown', () => {
    const plain = sentEvent(dispatch({ price: null, currency: null }), result, AT);

    expect(Object.keys(plain).sort()).toEqual(
      [
        'eventId',
        'messageId',
        'accountId',
        'source',
        'attempt',
        'provider',
        'providerMessageId',
        'errorCode',
        'errorMessage',
        'errorClass',
        'ambiguous',
        'cost',
        'currency',
        'detail',
        'occurredAt',
        'kind',
        'sender',
      ].sort(),
    );
    const partIds = ['SM1', 'SM2'];
    const parts = sentEvent(dispatch({ country: 'GB' }), { ...result, partIds }, AT);
    expect(parts).toMatchObject({ country: 'GB', partIds: ['SM1', 'SM2'], occurredAt: AT.toISOString() });
    expect(parts.partIds).not.toBe(partIds);
    expect(parts).not.toHaveProperty('network');
    expect(sentEvent(dispatch(), { ...result, partIds: ['SM1'] }, AT)).not.toHaveProperty('partIds');
  });
});
