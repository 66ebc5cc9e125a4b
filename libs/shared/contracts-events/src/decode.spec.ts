import type { ClassConstructor } from 'class-transformer';
import { ContractViolationError, decodeEvent } from './decode';
import { Encoding, MessageClass, StatusEventKind, StatusEventSource } from './enums';
import { DispatchRequestedV1, MessageAcceptedV1 } from './message-accepted.event';
import { SendRequestedV1 } from './send-requested.event';
import { StatusChangedV1 } from './status-changed.event';
import { InboundReceivedV1, WebhookStoredV1 } from './webhook-stored.event';

const ID = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const AT = '2026-01-01T12:00:00.000Z';

interface Case {
  readonly cls: ClassConstructor<object>;
  readonly valid: Record<string, unknown>;
  /** A field and a value of the wrong type for it. */
  readonly wrongType: readonly [string, unknown][];
}

const CASES: Case[] = [
  {
    cls: SendRequestedV1,
    valid: { id: ID, to: '+447400123456', body: 'Hi', from: null, country: 'GB', validitySeconds: 3600 },
    wrongType: [
      ['id', 'not-a-uuid'],
      ['to', 447400123456],
      ['body', ['Hi']],
      ['country', 'GBR'],
      ['messageClass', 'promo'],
      ['validitySeconds', '3600'],
      ['validitySeconds', 59],
    ],
  },
  {
    cls: MessageAcceptedV1,
    valid: {
      messageId: ID,
      attempt: 1,
      to: '+447400123456',
      from: null,
      country: 'GB',
      body: 'Hi',
      encoding: Encoding.Gsm7,
      segments: 1,
      messageClass: MessageClass.Transactional,
      validitySeconds: null,
      avoidProviders: ['twilio'],
      pinProvider: null,
      acceptedAt: AT,
    },
    wrongType: [
      ['attempt', 0],
      ['attempt', '1'],
      ['encoding', 'UTF-8'],
      ['avoidProviders', 'twilio'],
      ['avoidProviders', [1]],
      ['acceptedAt', 'yesterday'],
    ],
  },
  {
    cls: DispatchRequestedV1,
    valid: {
      messageId: ID,
      attempt: 2,
      provider: 'twilio',
      from: '+14155552671',
      to: '+447400123456',
      body: 'Hi',
      encoding: Encoding.Ucs2,
      segments: 1,
      validitySeconds: null,
      price: '0.0400',
      currency: 'USD',
      routeReason: 'cheapest',
      routedAt: AT,
    },
    wrongType: [
      ['attempt', 101],
      ['provider', null],
      ['price', 0.04],
      ['segments', 1.5],
      ['routeReason', 'r'.repeat(513)],
    ],
  },
  {
    cls: StatusChangedV1,
    valid: {
      eventId: ID,
      messageId: ID,
      kind: StatusEventKind.Retry,
      source: StatusEventSource.SendWorker,
      attempt: 1,
      provider: 'twilio',
      providerMessageId: null,
      errorCode: 'TIMEOUT',
      errorMessage: 'timed out',
      errorClass: 'transient',
      ambiguous: true,
      cost: null,
      currency: null,
      detail: null,
      occurredAt: AT,
    },
    wrongType: [
      ['kind', 'queued'],
      ['source', 'api'],
      ['attempt', 0],
      ['cost', 0.04],
      ['ambiguous', 'yes'],
      ['ambiguous', 1],
      ['occurredAt', 1767268800000],
    ],
  },
  {
    cls: WebhookStoredV1,
    valid: {
      webhookId: '42',
      provider: 'twilio',
      kind: 'status',
      url: 'https://sms.example.com/webhooks/twilio/status',
      method: 'POST',
      headers: { 'x-twilio-signature': 'abc=' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
      contentType: 'application/x-www-form-urlencoded',
      receivedAt: AT,
    },
    wrongType: [
      ['kind', 'dlr'],
      ['headers', 'x-twilio-signature: abc='],
      ['webhookId', 42],
    ],
  },
  {
    cls: InboundReceivedV1,
    valid: {
      webhookId: '43',
      provider: 'twilio',
      providerMessageId: 'SM2',
      from: '+447400123456',
      to: '+14155552671',
      body: 'STOP',
      receivedAt: AT,
    },
    wrongType: [
      ['from', 447400123456],
      ['body', null],
    ],
  },
];

describe(decodeEvent.name, () => {
  describe.each(CASES.map((c) => [c.cls.name, c] as const))('%s', (name, { cls, valid, wrongType }) => {
    it('decodes a valid payload into an instance with the same fields', () => {
      const decoded = decodeEvent(cls, JSON.parse(JSON.stringify(valid)));

      expect(decoded).toBeInstanceOf(cls);
      expect({ ...decoded }).toEqual(valid);
    });

    it('refuses an unknown property', () => {
      expect(() => decodeEvent(cls, { ...valid, extra: 1 })).toThrow(
        new ContractViolationError(`${name}: extra: property extra should not exist`),
      );
    });

    it.each(wrongType)('refuses %s = %p', (field, value) => {
      expect(() => decodeEvent(cls, { ...valid, [field]: value })).toThrow(ContractViolationError);
      expect(() => decodeEvent(cls, { ...valid, [field]: value })).toThrow(new RegExp(`^${name}: ${field}: `));
    });

    it('refuses a payload without its required fields', () => {
      expect(() => decodeEvent(cls, {})).toThrow(ContractViolationError);
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['undefined', undefined],
      ['an array', [valid]],
      ['a string', JSON.stringify(valid)],
      ['a number', 42],
    ])('refuses %s', (_what, value) => {
      expect(() => decodeEvent(cls, value)).toThrow(new ContractViolationError(`${name}: value is not an object`));
    });
  });
});
