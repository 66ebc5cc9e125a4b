import { type ReconcileRequestedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { DeliveryStatus, ErrorClass } from '@sms/provider-port';
import { overdueResendMayApply, RECEIPT_TIMEOUT, reconcileEvents } from './receipt.reconciler';

const REQUEST: ReconcileRequestedV1 = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  accountId: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  attempt: 1,
  provider: 'twilio',
  providerMessageId: 'SMabc',
  to: '+15558675310',
  from: '+15017122661',
  sentAt: '2026-03-02T10:00:00.000Z',
  requestedAt: '2026-03-02T11:00:00.000Z',
};
const AT = new Date('2026-03-02T11:00:01Z');

describe('reconcileEvents', () => {
  it('re-announces the provider id, then the final status the provider reports', () => {
    const events = reconcileEvents(
      REQUEST,
      {
        outcome: 'found',
        providerMessageId: 'SMabc',
        status: DeliveryStatus.Undelivered,
        providerStatus: 'undelivered',
        errorCode: '30005',
        errorClass: ErrorClass.Permanent,
      },
      AT,
    );

    expect(events.map((e) => [e.kind, e.source, e.providerMessageId, e.errorCode])).toEqual([
      [StatusEventKind.Sent, StatusEventSource.Reconcile, 'SMabc', null],
      [StatusEventKind.Undelivered, StatusEventSource.Reconcile, 'SMabc', '30005'],
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it.each([
    ['not found', { outcome: 'not_found' } as const],
    ['cannot be asked', { outcome: 'unknown', reason: 'AWS SMS has no per-message lookup API' } as const],
    [
      'not final yet',
      { outcome: 'found', providerMessageId: 'SMabc', status: DeliveryStatus.Sent, providerStatus: 'sent' } as const,
    ],
  ])('ends unknown with RECEIPT_TIMEOUT when the message is %s', (_what, result) => {
    const events = reconcileEvents(REQUEST, result, AT);

    expect(events.map((e) => e.kind)).toEqual([StatusEventKind.Sent, StatusEventKind.Unknown]);
    expect(events[1]?.errorCode).toBe(RECEIPT_TIMEOUT);
  });

  it("carries the send's time and country, so any router replica counts the overdue receipt", () => {
    const events = reconcileEvents({ ...REQUEST, country: 'US' }, { outcome: 'not_found' }, AT);

    expect(events.map((e) => [e.sentAt, e.country])).toEqual([
      [REQUEST.sentAt, 'US'],
      [REQUEST.sentAt, 'US'],
    ]);
    // A request from before the country field: the time alone.
    expect(reconcileEvents(REQUEST, { outcome: 'not_found' }, AT)[1]).not.toHaveProperty('country');
  });

  it('adds the recipient and sender to a provider-reported opt-out, for the opt-out service', () => {
    const events = reconcileEvents(
      REQUEST,
      {
        outcome: 'found',
        providerMessageId: 'SMabc',
        status: DeliveryStatus.Undelivered,
        providerStatus: 'undelivered',
        errorCode: '21610',
        errorClass: ErrorClass.OptedOut,
      },
      AT,
    );

    expect([events[1]?.recipient, events[1]?.sender]).toEqual([REQUEST.to, REQUEST.from]);
    // ...under the message's account, so the opt-out applies where the message was sent from.
    expect(events.map((e) => e.accountId)).toEqual([REQUEST.accountId, REQUEST.accountId]);
  });

  it('publishes only the final event when no provider id is known', () => {
    const events = reconcileEvents({ ...REQUEST, providerMessageId: null }, { outcome: 'not_found' }, AT);

    expect(events.map((e) => e.kind)).toEqual([StatusEventKind.Unknown]);
  });

  it('marks the unknown for a re-send elsewhere only when the provider holds the message, by our id, in flight', () => {
    const inFlight = {
      outcome: 'found',
      providerMessageId: 'SMabc',
      status: DeliveryStatus.Sent,
      providerStatus: 'sent',
    } as const;
    const marked = (request: ReconcileRequestedV1, result: Parameters<typeof reconcileEvents>[1]) =>
      reconcileEvents(request, result, AT).at(-1)?.fallbackEligible === true;

    expect(marked(REQUEST, inFlight)).toBe(true);
    expect(overdueResendMayApply(REQUEST, inFlight)).toBe(true);
    // Found only by a search (the send result named no id: it was ambiguous): a copy may exist that no id names.
    expect(marked({ ...REQUEST, providerMessageId: null }, inFlight)).toBe(false);
    // The provider no longer knows a message it accepted: it may have been delivered.
    expect(marked(REQUEST, { outcome: 'not_found' })).toBe(false);
    expect(marked(REQUEST, { outcome: 'unknown', reason: 'no lookup API' })).toBe(false);
    // A final status is applied as such, never re-sent.
    expect(marked(REQUEST, { ...inFlight, status: DeliveryStatus.Undelivered, providerStatus: 'undelivered' })).toBe(
      false,
    );
  });
});
