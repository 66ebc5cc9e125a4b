import type { MessageEventEntity } from '../database/entities/message-event.entity';
import { attemptsOf, receiptIdsOf } from './timeline.views';

const event = (fields: Partial<MessageEventEntity>): MessageEventEntity =>
  ({
    status: 'sent',
    source: 'send-worker',
    attempt: 1,
    provider: null,
    errorCode: null,
    errorMessage: null,
    detail: null,
    applied: true,
    providerMessageId: null,
    sender: null,
    cost: null,
    currency: null,
    latencyMs: null,
    receiptId: null,
    occurredAt: new Date('2026-01-01T12:00:00.000Z'),
    ...fields,
  }) as MessageEventEntity;

describe(attemptsOf.name, () => {
  it("makes one entry per attempt from the send-worker's events, with the call's start from its latency", () => {
    const attempts = attemptsOf([
      event({ status: 'queued', source: 'intake', attempt: null }),
      event({
        status: 'retry',
        attempt: 1,
        provider: 'vonage',
        errorCode: 'TIMEOUT',
        latencyMs: 5000,
        occurredAt: new Date('2026-01-01T12:00:05.000Z'),
      }),
      event({
        status: 'sent',
        attempt: 2,
        provider: 'twilio',
        sender: '+447400900999',
        providerMessageId: 'SM1',
        cost: '0.04',
        currency: 'USD',
        latencyMs: 120,
        occurredAt: new Date('2026-01-01T12:00:10.120Z'),
      }),
      event({ status: 'delivered', source: 'dlr', attempt: null, provider: 'twilio', receiptId: 'r1' }),
    ]);

    expect(attempts).toEqual([
      {
        attempt: 1,
        provider: 'vonage',
        sender: null,
        providerMessageId: null,
        outcome: 'retry',
        errorCode: 'TIMEOUT',
        cost: null,
        currency: null,
        startedAt: '2026-01-01T12:00:00.000Z',
        answeredAt: '2026-01-01T12:00:05.000Z',
      },
      {
        attempt: 2,
        provider: 'twilio',
        sender: '+447400900999',
        providerMessageId: 'SM1',
        outcome: 'sent',
        errorCode: null,
        cost: '0.04',
        currency: 'USD',
        startedAt: '2026-01-01T12:00:10.000Z',
        answeredAt: '2026-01-01T12:00:10.120Z',
      },
    ]);
  });

  it("keeps an attempt's sender and provider id when a later event of it names none", () => {
    const [attempt] = attemptsOf([
      event({ status: 'sent', provider: 'twilio', sender: '+447400900999', providerMessageId: 'SM1' }),
      event({ status: 'undelivered', source: 'reconcile', errorCode: 'LOOKUP', provider: 'twilio' }),
    ]);

    expect(attempt).toMatchObject({
      outcome: 'undelivered',
      errorCode: 'LOOKUP',
      sender: '+447400900999',
      providerMessageId: 'SM1',
      startedAt: null,
    });
  });
});

describe(receiptIdsOf.name, () => {
  it('lists each stored receipt once, first seen first', () => {
    expect(
      receiptIdsOf([
        event({ receiptId: 'b' }),
        event({ receiptId: null }),
        event({ receiptId: 'a' }),
        event({ receiptId: 'b' }),
      ]),
    ).toEqual(['b', 'a']);
  });
});
