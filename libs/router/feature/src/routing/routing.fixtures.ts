/**
 * Builders for the routing specs' pools and requests (test data, not exported from the library): one
 * place, so the specs' numbers, rates and requests mean the same thing everywhere.
 */
import { MessageClass } from '@sms/contracts';
import type { NumberCapability, PhoneNumberEntity, SenderType } from '../database/entities/phone-number.entity';
import type { RouteRequest } from './route-decider';

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
