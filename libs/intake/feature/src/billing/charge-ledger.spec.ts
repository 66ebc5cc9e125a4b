import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { chargeOf, receiptPriceOf } from './charge-ledger';
import { totalsOf, type ChargeView } from './charge-views';

const ID = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const AT = '2026-12-01T10:00:00.000Z';
const message = { accountId: ACCOUNT, country: 'GB', segments: 3 };

const sent = (overrides: Partial<StatusChangedV1> = {}): StatusChangedV1 => ({
  eventId: '7f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  messageId: ID,
  kind: StatusEventKind.Sent,
  source: StatusEventSource.SendWorker,
  attempt: 2,
  provider: 'twilio',
  providerMessageId: 'SM1',
  errorCode: null,
  errorMessage: null,
  errorClass: null,
  ambiguous: null,
  cost: '0.0237',
  currency: 'USD',
  costEstimated: true,
  unitPrice: '0.0079',
  sender: '+14155550100',
  detail: null,
  occurredAt: AT,
  ...overrides,
});

describe(chargeOf.name, () => {
  it("bills an estimated send per segment at the route's rate", () => {
    expect(chargeOf(sent(), message)).toEqual({
      messageId: ID,
      attempt: 2,
      accountId: ACCOUNT,
      provider: 'twilio',
      providerMessageId: 'SM1',
      sender: '+14155550100',
      country: 'GB',
      segments: 3,
      unitPriceMicros: 7_900n,
      amountMicros: 23_700n,
      currency: 'USD',
      priceSource: 'rate',
      final: false,
      chargedAt: new Date(AT),
    });
  });

  it("bills a provider's price as final, its unit price spread over the segments", () => {
    expect(chargeOf(sent({ cost: '0.0999', costEstimated: false, unitPrice: null }), message)).toMatchObject({
      amountMicros: 99_900n,
      unitPriceMicros: 33_300n,
      priceSource: 'provider',
      final: true,
    });
  });

  it('reads a record from before costEstimated as an estimate', () => {
    expect(chargeOf(sent({ costEstimated: undefined }), message)).toMatchObject({ final: false, priceSource: 'rate' });
  });

  it.each<[string, Partial<StatusChangedV1>]>([
    ['a failure', { kind: StatusEventKind.Retry }],
    ['a receipt', { source: StatusEventSource.Dlr }],
    ['no attempt', { attempt: null }],
    ['no cost', { cost: null }],
    ['a cost that is not a decimal', { cost: '-0.01' }],
    ['no currency', { currency: null }],
    ['a currency that is not ISO 4217', { currency: 'usd' }],
  ])('bills nothing for %s', (_name, overrides) => {
    expect(chargeOf(sent(overrides), message)).toBeNull();
  });

  it('bills nothing for a message it has no row of', () => {
    expect(chargeOf(sent(), undefined)).toBeNull();
  });
});

describe(receiptPriceOf.name, () => {
  const receipt = (overrides: Partial<StatusChangedV1> = {}) =>
    sent({ kind: StatusEventKind.Delivered, source: StatusEventSource.Dlr, attempt: null, ...overrides });

  it("reads a receipt's price for the provider id it names", () => {
    expect(receiptPriceOf(receipt({ cost: '0.0333', currency: 'EUR' }))).toEqual({
      messageId: ID,
      provider: 'twilio',
      providerMessageId: 'SM1',
      amountMicros: 33_300n,
      currency: 'EUR',
      network: null,
    });
    expect(receiptPriceOf(receipt({ cost: '0.0333', currency: 'EUR', network: '23410' }))?.network).toBe('23410');
  });

  it('ignores receipts without a price or provider id, and send results', () => {
    expect(receiptPriceOf(receipt({ cost: null }))).toBeNull();
    expect(receiptPriceOf(receipt({ providerMessageId: null }))).toBeNull();
    expect(receiptPriceOf(sent())).toBeNull();
  });
});

describe(totalsOf.name, () => {
  const charge = (amount: string, currency: string): ChargeView => ({
    attempt: 1,
    provider: 'twilio',
    sender: null,
    country: 'GB',
    network: null,
    segments: 1,
    unitPrice: null,
    amount,
    currency,
    source: 'rate',
    final: false,
    chargedAt: AT,
  });

  it('sums per currency, exactly, in the order the currencies came', () => {
    expect(totalsOf([charge('0.1', 'USD'), charge('0.0333', 'EUR'), charge('0.2', 'USD')])).toEqual([
      { total: '0.30', currency: 'USD' },
      { total: '0.0333', currency: 'EUR' },
    ]);
    expect(totalsOf([])).toEqual([]);
  });
});
