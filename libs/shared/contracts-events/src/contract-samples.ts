/**
 * One valid payload per topic contract and values of the wrong type for some of its fields: shared by
 * the decode spec and the compiled decoder's equivalence spec (test data, not exported from the library).
 */
import type { ClassConstructor } from 'class-transformer';
import { Encoding, MessageClass, MessageStatus, StatusEventKind, StatusEventSource } from './enums';
import { MaskDirectoryChangedV1 } from './mask-directory-changed.event';
import { DispatchRequestedV1, MessageAcceptedV1 } from './message-accepted.event';
import { OptOutChangedV1 } from './opt-out-changed.event';
import { SendRequestedV1 } from './send-requested.event';
import { MessageTransitionV1, StatusChangedV1 } from './status-changed.event';
import { InboundReceivedV1, WebhookStoredV1 } from './webhook-stored.event';

export const ID = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
export const ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
export const AT = '2026-01-01T12:00:00.000Z';

export interface ContractSample {
  readonly cls: ClassConstructor<object>;
  readonly valid: Record<string, unknown>;
  /** A field and a value of the wrong type for it. */
  readonly wrongType: readonly [string, unknown][];
}

export const CONTRACT_SAMPLES: ContractSample[] = [
  {
    cls: SendRequestedV1,
    valid: {
      id: ID,
      accountId: ACCOUNT,
      to: '+447400123456',
      body: 'Hi',
      from: null,
      country: 'GB',
      validitySeconds: 3600,
    },
    wrongType: [
      ['id', 'not-a-uuid'],
      ['accountId', 'acme'],
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
      accountId: ACCOUNT,
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
      ['accountId', 42],
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
      accountId: ACCOUNT,
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
      network: '23430',
      routedAt: AT,
    },
    wrongType: [
      ['network', '2343'],
      ['accountId', 'default'],
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
      accountId: ACCOUNT,
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
      ['accountId', ID.toUpperCase().replace(/-/g, '')],
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
  {
    cls: MessageTransitionV1,
    valid: {
      eventId: ID,
      messageId: ID,
      accountId: ACCOUNT,
      status: MessageStatus.Delivered,
      previousStatus: MessageStatus.Sent,
      callbackUrl: 'https://app.example/sms-status',
      clientReference: 'order-42',
      errorCode: null,
      errorMessage: null,
      at: AT,
    },
    wrongType: [
      ['accountId', ['x']],
      ['status', 'done'],
      ['callbackUrl', null],
      ['at', '01/01/2026'],
    ],
  },
  {
    cls: OptOutChangedV1,
    valid: {
      number: '+447400123456',
      sender: null,
      optedOut: true,
      exemptMessageId: null,
      source: 'keyword',
      occurredAt: AT,
    },
    wrongType: [
      ['optedOut', 'true'],
      ['source', 'sms'],
      ['exemptMessageId', 'abc'],
    ],
  },
  {
    cls: MaskDirectoryChangedV1,
    valid: {
      kind: 'assignment',
      poolNumber: '+447400000001',
      active: true,
      participant: '+447400123456',
      maskId: ID,
      destination: '+447400654321',
      sender: '+447400000002',
      expiresAt: AT,
      occurredAt: AT,
    },
    wrongType: [
      ['kind', 'mask'],
      ['active', 0],
      ['expiresAt', 'soon'],
    ],
  },
];
