import { unprocessable } from '@sms/platform';
import { parseProvider } from '../search/message-search.query';
import {
  checkRange,
  list,
  parseInstant,
  parseLimit,
  parseNumber,
  readQuery,
  single,
  type QueryValues,
} from '../search/query-params';
import { type InboundSearchFilters, KEYWORD_FILTERS } from './inbound-search';

export const INBOUND_SEARCH_PARAMETERS = [
  'from',
  'to',
  'keyword',
  'provider',
  'receivedAfter',
  'receivedBefore',
  'limit',
  'cursor',
] as const;

export interface ParsedInboundSearch {
  readonly filters: InboundSearchFilters;
  readonly limit: number;
  readonly cursor?: string;
}

/** Short codes are texted too: 3-8 digits. */
const SHORT_CODE = /^\d{3,8}$/;

/** GET /v1/inbound's query string, every parameter checked: 422 with a stable code and the parameter at fault. */
export function parseInboundSearchQuery(input: unknown): ParsedInboundSearch {
  const query = readQuery(input, INBOUND_SEARCH_PARAMETERS);
  const keywords = list(query, 'keyword').map((keyword) => keyword.toLowerCase());
  if (keywords.some((keyword) => !KEYWORD_FILTERS.includes(keyword))) {
    throw unprocessable('INVALID_KEYWORD', `keyword must be among ${KEYWORD_FILTERS.join(', ')}`, 'keyword');
  }
  const receivedAfter = parseInstant(query, 'receivedAfter');
  const receivedBefore = parseInstant(query, 'receivedBefore');
  checkRange(receivedAfter, receivedBefore, 'receivedAfter', 'receivedBefore');
  const from = parseNumber(query, 'from');
  const to = parseTexted(query);
  const provider = parseProvider(query);
  const cursor = single(query, 'cursor', 'INVALID_CURSOR');
  const filters: InboundSearchFilters = {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(keywords.length > 0 ? { keywords } : {}),
    ...(provider === undefined ? {} : { provider }),
    ...(receivedAfter === undefined ? {} : { receivedAfter }),
    ...(receivedBefore === undefined ? {} : { receivedBefore }),
  };

  return { filters, limit: parseLimit(query), ...(cursor === undefined ? {} : { cursor }) };
}

/** The number texted: E.164 or a short code. */
function parseTexted(query: QueryValues): string | undefined {
  const text = single(query, 'to', 'INVALID_PHONE_NUMBER');

  return text !== undefined && SHORT_CODE.test(text) ? text : parseNumber(query, 'to');
}
