import { isAlphanumericSenderId, parsePhone } from '@sms/phone';
import { unprocessable } from '@sms/platform';

const FIELDS = new Set(['number', 'sender', 'reason']);

export interface OptOutRequest {
  readonly number: string;
  readonly sender: string | null;
  readonly reason: string;
}

/** `number` must be a valid E.164 number; the 422 codes match the messages API. */
export function parseRecipient(value: unknown, field = 'number'): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw unprocessable('INVALID_PHONE_NUMBER', `${field} is required: an E.164 number`, field);
  }
  const phone = parsePhone(value.trim());
  if (!phone.ok) {
    throw unprocessable('INVALID_PHONE_NUMBER', `${field} is not a valid phone number (${phone.reason})`, field);
  }

  return phone.e164;
}

/** A sender is an E.164 number or an alphanumeric sender ID; absent means account-wide. */
export function parseSender(value: unknown): string | null {
  if (value === undefined || value === null || value === '') {
    return null;
  }
  if (typeof value === 'string') {
    if (value.startsWith('+')) {
      const phone = parsePhone(value);
      if (phone.ok) {
        return phone.e164;
      }
    } else if (isAlphanumericSenderId(value)) {
      return value;
    }
  }
  throw unprocessable('INVALID_SENDER', 'sender must be an E.164 number or an alphanumeric sender ID', 'sender');
}

export function parseOptOutRequest(input: unknown): OptOutRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!FIELDS.has(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }
  const reason = record['reason'] ?? 'added through the API';
  if (typeof reason !== 'string' || reason.length > 128) {
    throw unprocessable('INVALID_REASON', 'reason must be a string of at most 128 characters', 'reason');
  }

  return { number: parseRecipient(record['number']), sender: parseSender(record['sender']), reason };
}
