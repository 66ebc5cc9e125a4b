import { isSupportedCountryCode } from '@sms/phone';
import { unprocessable } from '@sms/platform';
import { MESSAGE_STATUSES, type MessageSearchFilters } from './message-search';
import {
  checkRange,
  list,
  parseInstant,
  parseLimit,
  parseNumber,
  parseSender,
  readQuery,
  single,
  type QueryValues,
} from './query-params';

export const MESSAGE_SEARCH_PARAMETERS = [
  'status',
  'to',
  'from',
  'clientReference',
  'provider',
  'country',
  'createdAfter',
  'createdBefore',
  'direction',
  'limit',
  'cursor',
] as const;

export interface ParsedMessageSearch {
  readonly filters: MessageSearchFilters;
  readonly limit: number;
  readonly cursor?: string;
}

/** Provider ids as the operator API creates them. */
const PROVIDER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_CLIENT_REFERENCE = 128;

/** GET /v1/messages's query string, every parameter checked: 422 with a stable code and the parameter at fault. */
export function parseMessageSearchQuery(input: unknown): ParsedMessageSearch {
  const query = readQuery(input, MESSAGE_SEARCH_PARAMETERS);
  const direction = single(query, 'direction', 'INVALID_DIRECTION');
  if (direction !== undefined && direction !== 'outbound') {
    // The ledger holds what the account sent; what it received is another resource with other fields.
    throw unprocessable(
      'INVALID_DIRECTION',
      'direction must be outbound here; inbound messages are listed at GET /v1/inbound',
      'direction',
    );
  }
  const statuses = list(query, 'status');
  const unknownStatus = statuses.find((status) => !MESSAGE_STATUSES.includes(status));
  if (unknownStatus !== undefined) {
    throw unprocessable('INVALID_STATUS', `status must be among ${MESSAGE_STATUSES.join(', ')}`, 'status');
  }
  const createdAfter = parseInstant(query, 'createdAfter');
  const createdBefore = parseInstant(query, 'createdBefore');
  checkRange(createdAfter, createdBefore, 'createdAfter', 'createdBefore');

  const filters: MessageSearchFilters = {
    ...(statuses.length > 0 ? { statuses } : {}),
    ...optional('to', parseNumber(query, 'to')),
    ...optional('from', parseSender(query, 'from')),
    ...optional('clientReference', parseClientReference(query)),
    ...optional('provider', parseProvider(query)),
    ...optional('country', parseCountry(query)),
    ...optional('createdAfter', createdAfter),
    ...optional('createdBefore', createdBefore),
  };
  const cursor = single(query, 'cursor', 'INVALID_CURSOR');

  return { filters, limit: parseLimit(query), ...(cursor === undefined ? {} : { cursor }) };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

function parseClientReference(query: QueryValues): string | undefined {
  const value = single(query, 'clientReference', 'INVALID_CLIENT_REFERENCE');
  if (value !== undefined && value.length > MAX_CLIENT_REFERENCE) {
    throw unprocessable(
      'INVALID_CLIENT_REFERENCE',
      `clientReference is at most ${MAX_CLIENT_REFERENCE} characters`,
      'clientReference',
    );
  }

  return value;
}

export function parseProvider(query: QueryValues): string | undefined {
  const value = single(query, 'provider', 'INVALID_PROVIDER');
  if (value !== undefined && !PROVIDER_ID.test(value)) {
    throw unprocessable('INVALID_PROVIDER', 'provider must be a provider id (twilio, vonage, …)', 'provider');
  }

  return value;
}

function parseCountry(query: QueryValues): string | undefined {
  const value = single(query, 'country', 'INVALID_COUNTRY');
  if (value === undefined) {
    return undefined;
  }
  const country = value.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountryCode(country)) {
    throw unprocessable('INVALID_COUNTRY', 'country must be an ISO 3166-1 alpha-2 code (GB, US, …)', 'country');
  }

  return country;
}
