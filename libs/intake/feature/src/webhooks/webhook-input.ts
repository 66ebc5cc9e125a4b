import { MAX_OUTBOUND_URL_LENGTH, type OutboundPolicy, outboundUrlRefusal, unprocessable } from '@sms/platform';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events';

/** A caller's own secret: long enough not to be guessed, short enough for a header value to stay small. */
export const MIN_SECRET_LENGTH = 24;
export const MAX_SECRET_LENGTH = 128;
/** Printable ASCII without spaces: it goes into receivers' configuration files and environment variables. */
const SECRET_CHARACTERS = /^[\x21-\x7e]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CreateWebhookInput {
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  /** null: the gateway generates one. */
  readonly secret: string | null;
}

export interface UpdateWebhookInput {
  readonly url?: string;
  readonly events?: readonly WebhookEventType[];
}

/** `POST /v1/webhooks`: `{url, events, secret?}`, 422 with a stable code and the field for anything else. */
export function parseCreateWebhook(input: unknown, policy: OutboundPolicy): CreateWebhookInput {
  const body = readObject(input, ['url', 'events', 'secret']);
  if (body['url'] === undefined) {
    throw unprocessable('INVALID_WEBHOOK_URL', 'url is required', 'url');
  }
  if (body['events'] === undefined) {
    throw unprocessable('EVENTS_EMPTY', 'events is required: a non-empty list of event types', 'events');
  }

  return {
    url: url(body['url'], policy),
    events: events(body['events']),
    secret: body['secret'] === undefined || body['secret'] === null ? null : secret(body['secret']),
  };
}

/** `PATCH /v1/webhooks/:id`: `{url?, events?}`, at least one. The secret changes only by rotation. */
export function parseUpdateWebhook(input: unknown, policy: OutboundPolicy): UpdateWebhookInput {
  const body = readObject(input, ['url', 'events']);
  if (body['url'] === undefined && body['events'] === undefined) {
    throw unprocessable('NOTHING_TO_UPDATE', 'Give url, events or both');
  }

  return {
    ...(body['url'] !== undefined && { url: url(body['url'], policy) }),
    ...(body['events'] !== undefined && { events: events(body['events']) }),
  };
}

/** A subscription or delivery id from the path: a UUID, else 422 with `code`. */
export function parseWebhookId(value: string, code: string, field: string): string {
  if (!UUID.test(value)) {
    throw unprocessable(code, `${field} must be a UUID`, field);
  }

  return value.toLowerCase();
}

export const MAX_DELIVERY_PAGE = 100;

/** `GET /v1/webhooks/:id/deliveries?limit=`: the newest `limit` (1-100, default 50). */
export function parseDeliveryQuery(query: unknown): { limit: number } {
  const params = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  for (const name of Object.keys(params)) {
    if (name !== 'limit') {
      throw unprocessable('UNKNOWN_FIELD', `Unknown query parameter '${name.slice(0, 64)}'`, name.slice(0, 64));
    }
  }
  const raw = params['limit'];
  if (raw === undefined) {
    return { limit: 50 };
  }
  const limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_DELIVERY_PAGE)) {
    throw unprocessable('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_DELIVERY_PAGE}`, 'limit');
  }

  return { limit };
}

function readObject(input: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  for (const field of Object.keys(body)) {
    if (!fields.includes(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }

  return body;
}

/** The outbound address policy callbacks get (https, port 443, public literal address, no internal name). */
function url(value: unknown, policy: OutboundPolicy): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw unprocessable('INVALID_WEBHOOK_URL', 'url must be an https URL', 'url');
  }
  if (value.length > MAX_OUTBOUND_URL_LENGTH) {
    throw unprocessable('INVALID_WEBHOOK_URL', `url is longer than ${MAX_OUTBOUND_URL_LENGTH} characters`, 'url');
  }
  const refusal = outboundUrlRefusal(value, policy);
  if (refusal !== null) {
    throw unprocessable('INVALID_WEBHOOK_URL', `url refused: ${refusal}`, 'url');
  }

  return value;
}

function events(value: unknown): WebhookEventType[] {
  if (!Array.isArray(value) || value.some((event) => typeof event !== 'string')) {
    throw unprocessable('INVALID_EVENTS', 'events must be a list of event types', 'events');
  }
  if (value.length === 0) {
    throw unprocessable('EVENTS_EMPTY', 'events must name at least one event type', 'events');
  }
  const unknown = (value as string[]).find((event) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event));
  if (unknown !== undefined) {
    throw unprocessable(
      'UNKNOWN_EVENT_TYPE',
      `Unknown event type '${unknown.slice(0, 64)}' (known: ${WEBHOOK_EVENT_TYPES.join(', ')})`,
      'events',
    );
  }
  if (new Set(value).size !== value.length) {
    throw unprocessable('INVALID_EVENTS', 'events lists an event type twice', 'events');
  }

  return value as WebhookEventType[];
}

function secret(value: unknown): string {
  if (typeof value !== 'string') {
    throw unprocessable('INVALID_SECRET', 'secret must be a string', 'secret');
  }
  if (value.length < MIN_SECRET_LENGTH) {
    throw unprocessable('SECRET_TOO_SHORT', `secret must be at least ${MIN_SECRET_LENGTH} characters`, 'secret');
  }
  if (value.length > MAX_SECRET_LENGTH) {
    throw unprocessable('SECRET_TOO_LONG', `secret must be at most ${MAX_SECRET_LENGTH} characters`, 'secret');
  }
  if (!SECRET_CHARACTERS.test(value)) {
    throw unprocessable('INVALID_SECRET', 'secret must be printable ASCII without spaces', 'secret');
  }

  return value;
}
