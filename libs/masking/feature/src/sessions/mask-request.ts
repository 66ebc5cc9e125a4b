import { parsePhone } from '@sms/phone';
import { unprocessable } from '@sms/platform';

const FIELDS = new Set(['partyA', 'partyB', 'contextId', 'ttlSeconds']);
export const DEFAULT_TTL_SECONDS = 3600;
const MIN_TTL_SECONDS = 1;
/** 30 days: a session is a conversation about one order or ride, not a permanent alias. */
const MAX_TTL_SECONDS = 2_592_000;

export interface MaskRequest {
  readonly partyA: string;
  readonly partyB: string;
  readonly contextId: string | null;
  readonly ttlSeconds: number;
}

function party(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw unprocessable('INVALID_PHONE_NUMBER', `${field} is required: an E.164 number`, field);
  }
  const phone = parsePhone(value);
  if (!phone.ok) {
    throw unprocessable('INVALID_PHONE_NUMBER', `${field} is not a valid phone number (${phone.reason})`, field);
  }

  return phone.e164;
}

/** api.md's `POST /v1/masks` body, with a stable code per broken rule. */
export function parseMaskRequest(input: unknown): MaskRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!FIELDS.has(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }
  const partyA = party(record['partyA'], 'partyA');
  const partyB = party(record['partyB'], 'partyB');
  if (partyA === partyB) {
    throw unprocessable('SAME_PARTIES', 'partyA and partyB must be different numbers', 'partyB');
  }
  const contextId = record['contextId'] ?? null;
  if (contextId !== null && (typeof contextId !== 'string' || contextId.length > 128)) {
    throw unprocessable('INVALID_CONTEXT_ID', 'contextId must be a string of at most 128 characters', 'contextId');
  }
  const ttlSeconds = record['ttlSeconds'] ?? DEFAULT_TTL_SECONDS;
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < MIN_TTL_SECONDS ||
    ttlSeconds > MAX_TTL_SECONDS
  ) {
    throw unprocessable('INVALID_TTL', `ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}`, 'ttlSeconds');
  }

  return { partyA, partyB, contextId, ttlSeconds };
}
