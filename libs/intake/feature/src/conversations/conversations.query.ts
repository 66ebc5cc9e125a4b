import { unprocessable } from '@sms/platform';
import { parseNumber, type QueryValues, readQuery, single } from '../search/query-params';

/** Threads are read with a GROUP BY per page: a page is kept smaller than a plain list's. */
export const MAX_CONVERSATION_PAGE = 200;
const DEFAULT_CONVERSATION_PAGE = 50;
/** Short codes are texted too: 3-8 digits. */
const SHORT_CODE = /^\d{3,8}$/;

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

export interface ThreadRequest extends PageRequest {
  readonly ourNumber: string;
  readonly theirNumber: string;
}

function parsePage(query: QueryValues): PageRequest {
  const text = single(query, 'limit', 'INVALID_LIMIT');
  const limit = text === undefined ? DEFAULT_CONVERSATION_PAGE : /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_CONVERSATION_PAGE)) {
    throw unprocessable('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_CONVERSATION_PAGE}`, 'limit');
  }
  const cursor = single(query, 'cursor', 'INVALID_CURSOR');

  return { limit, ...(cursor === undefined ? {} : { cursor }) };
}

/** GET /v1/inbound/conversations: `limit` and `cursor` only. */
export const parseConversationsQuery = (input: unknown): PageRequest =>
  parsePage(readQuery(input, ['limit', 'cursor']));

/** GET /v1/inbound/conversations/messages: both numbers required (`ourNumber` may be a short code). */
export function parseThreadQuery(input: unknown): ThreadRequest {
  const query = readQuery(input, ['ourNumber', 'theirNumber', 'limit', 'cursor']);
  const ourText = single(query, 'ourNumber', 'INVALID_PHONE_NUMBER');
  const ourNumber = ourText !== undefined && SHORT_CODE.test(ourText) ? ourText : parseNumber(query, 'ourNumber');
  const theirNumber = parseNumber(query, 'theirNumber');
  if (ourNumber === undefined) {
    throw unprocessable('MISSING_PARAMETER', 'ourNumber is required', 'ourNumber');
  }
  if (theirNumber === undefined) {
    throw unprocessable('MISSING_PARAMETER', 'theirNumber is required', 'theirNumber');
  }

  return { ourNumber, theirNumber, ...parsePage(query) };
}
