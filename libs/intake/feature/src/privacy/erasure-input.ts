import { ApiError } from '@sms/platform';

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The body of `POST /v1/privacy/erasures`: `{"number": "+447400123456"}`. Strict E.164 and nothing else: a
 * national or formatted number could name a different person depending on how it is read, and an erasure
 * cannot be undone. A number no longer valid in today's numbering plans is still accepted: the person's data
 * may be older than the plan.
 */
export function parseErasureRequest(body: unknown): { number: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'INVALID_BODY', 'The body must be a JSON object: {"number": "+447400123456"}');
  }
  const extra = Object.keys(body).find((key) => key !== 'number');
  if (extra !== undefined) {
    throw new ApiError(400, 'UNKNOWN_FIELD', `Unknown field "${extra.slice(0, 64)}"`, extra.slice(0, 64));
  }
  const { number } = body as { number?: unknown };
  if (typeof number !== 'string' || !E164.test(number)) {
    throw new ApiError(
      400,
      'INVALID_PHONE_NUMBER',
      'number must be one E.164 number: "+", the country code and the national number, digits only',
      'number',
    );
  }

  return { number };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An erasure id is a UUID; anything else cannot name one (404 as for an unknown one). */
export const isErasureId = (id: string): boolean => UUID.test(id);
