import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
/**
 * Builders for the routing specs' pools and requests (test data, not exported from the library): one
 * place, so the specs' numbers, rates and requests mean the same thing everywhere.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumedRecord } from '@sms/bus';
import { MessageClass, type StatusChangedV1, StatusEventKind, StatusEventSource, TOPICS } from '@sms/contracts';
import type { NumberCapability, PhoneNumberEntity, SenderType } from '../database/entities/phone-number.entity';
import type { RouteRequest } from './decision/route-decider';

/** An active pool number (ordinary SMS unless told otherwise). */
export const poolNumber = (
  value: string,
  providerId: string,
  country: string,
  type: SenderType = 'longcode',
  segmentsPerSecond = 1000,
  capabilities: NumberCapability[] = ['sms'],
): PhoneNumberEntity => ({
  number: value,
  providerId,
  country,
  type,
  capabilities,
  monthlyCost: null,
  segmentsPerSecond,
  active: true,
  accountId: DEFAULT_ACCOUNT_ID,
  createdAt: new Date(0),
});

/** A provider's price for a country ('' prefix: the whole country), in USD. */
export const poolRate = (providerId: string, country: string, price: string, prefix = '') => ({
  providerId,
  country,
  prefix,
  price,
  currency: 'USD',
});

/** A transactional single-segment message to a GB number without an explicit sender, unless told otherwise. */
export const routeRequest = (over: Partial<RouteRequest> = {}): RouteRequest => ({
  to: '+447400123456',
  country: 'GB',
  from: null,
  segments: 1,
  messageClass: MessageClass.Transactional,
  avoidProviders: [],
  pinProvider: null,
  ...over,
});

/** A send result or receipt as send-worker / dlr-processor publish it, as the health recorder consumes it. */
export function consumedStatus(
  provider: string,
  kind: StatusEventKind,
  source: StatusEventSource = StatusEventSource.SendWorker,
): ConsumedRecord {
  const event: StatusChangedV1 = {
    eventId: randomUUID(),
    messageId: randomUUID(),
    kind,
    source,
    attempt: 1,
    provider,
    providerMessageId: null,
    errorCode: kind === StatusEventKind.Retry ? 'PROVIDER_UNAVAILABLE' : null,
    errorMessage: null,
    errorClass: kind === StatusEventKind.Retry ? 'transient' : null,
    ambiguous: false,
    cost: null,
    currency: null,
    detail: null,
    occurredAt: new Date().toISOString(),
    latencyMs: source === StatusEventSource.SendWorker ? 120 : null,
  };

  return {
    topic: TOPICS.status,
    partition: 0,
    offset: '0',
    key: event.messageId,
    value: event,
    headers: {},
    attempt: 1,
  };
}
