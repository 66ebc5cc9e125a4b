import { ApiError, unprocessable } from '@sms/platform';

/** api.md: a batch holds 1 to 1,000 messages. */
export const MAX_BATCH_MESSAGES = 1000;
/** A batch of 1,000 long messages is far over the 64 KB of a single send; 8 MB bounds it (413 above). */
export const MAX_BATCH_BODY_BYTES = 8 * 1024 * 1024;

/** Item fields that only make sense per message, so `defaults` may not set them. */
const PER_ITEM_ONLY = new Set(['to', 'body', 'clientReference', 'idempotencyKey']);
const BATCH_FIELDS = new Set(['messages', 'defaults']);

/** One item of a batch: its send request (defaults merged under it) or the reason it is not one. */
export type BatchItem =
  | { readonly kind: 'request'; readonly request: Record<string, unknown>; readonly idempotencyKey: string | null }
  | { readonly kind: 'refused'; readonly error: ApiError };

/**
 * `POST /v1/messages/batch` body: `{"messages":[{...send request, "idempotencyKey"?}], "defaults"?: {...}}`.
 * A broken envelope refuses the whole batch; a broken item is refused on its own (the validator judges the
 * merged send request later, as a single POST's body). `defaults` fills fields an item leaves out.
 */
export function parseBatchRequest(body: unknown): BatchItem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object with a messages array');
  }
  const record = body as Record<string, unknown>;
  const unknownField = Object.keys(record).find((field) => !BATCH_FIELDS.has(field));
  if (unknownField !== undefined) {
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${unknownField.slice(0, 64)}'`, unknownField.slice(0, 64));
  }
  const defaults = parseDefaults(record['defaults']);
  const messages = record['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    throw unprocessable('INVALID_BATCH', 'messages must be a non-empty array of send requests', 'messages');
  }
  if (messages.length > MAX_BATCH_MESSAGES) {
    throw unprocessable('BATCH_TOO_LARGE', `A batch holds at most ${MAX_BATCH_MESSAGES} messages`, 'messages');
  }

  return messages.map((item: unknown): BatchItem => parseItem(item, defaults));
}

function parseDefaults(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw unprocessable('INVALID_BATCH_DEFAULTS', 'defaults must be an object of send fields', 'defaults');
  }
  const defaults = value as Record<string, unknown>;
  const perItem = Object.keys(defaults).find((field) => PER_ITEM_ONLY.has(field));
  if (perItem !== undefined) {
    throw unprocessable(
      'INVALID_BATCH_DEFAULTS',
      `${perItem} is set per message, not in defaults`,
      `defaults.${perItem}`,
    );
  }

  return defaults;
}

function parseItem(item: unknown, defaults: Record<string, unknown>): BatchItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { kind: 'refused', error: unprocessable('INVALID_REQUEST', 'Each message must be a JSON object') };
  }
  const { idempotencyKey, ...fields } = item as Record<string, unknown>;
  if (idempotencyKey !== undefined && idempotencyKey !== null && typeof idempotencyKey !== 'string') {
    return {
      kind: 'refused',
      error: new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', 'idempotencyKey must be 1-255 printable ASCII characters'),
    };
  }

  return {
    kind: 'request',
    // The item's own fields win; explicit nulls in the item keep the default out.
    request: { ...defaults, ...fields },
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : null,
  };
}
