import { ApiError, unprocessable } from '@sms/platform';
import { ALL_SCOPES, type ApiScope } from './api-key.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** C0 and C1 controls: a name is shown in listings and logs, where they would garble the line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NAME_MAX = 128;

export interface CreateAccountInput {
  readonly name: string;
  readonly dataResidency?: string | null;
}

/** A region's name as REGIONS spells it; whether it is configured is checked against the deployment's regions. */
const REGION_NAME = /^[a-z][a-z0-9-]{0,15}$/;

export interface CreateKeyInput {
  readonly name: string;
  readonly scopes: ApiScope[];
  /** Absent: the caller's own account. */
  readonly accountId?: string;
}

/** `POST /v1/accounts` body: `{name, dataResidency?}`. */
export function parseCreateAccount(body: unknown): CreateAccountInput {
  const record = objectWith(body, ['name', 'dataResidency']);
  const dataResidency = parseResidency(record['dataResidency']);

  return { name: parseName(record['name']), ...(dataResidency === undefined ? {} : { dataResidency }) };
}

/** A data-residency region: a region name, or null to clear it; absent: undefined. */
function parseResidency(value: unknown): string | null | undefined {
  if (value === undefined || value === null) {
    return value;
  }
  if (typeof value !== 'string' || !REGION_NAME.test(value)) {
    throw unprocessable('INVALID_DATA_RESIDENCY', 'dataResidency must be a region name or null', 'dataResidency');
  }

  return value;
}

/** `POST /v1/api-keys` body: `{name, scopes, accountId?}`. */
export function parseCreateKey(body: unknown): CreateKeyInput {
  const record = objectWith(body, ['name', 'scopes', 'accountId']);
  const name = parseName(record['name']);
  const scopes = record['scopes'];
  if (
    !Array.isArray(scopes) ||
    scopes.length === 0 ||
    !scopes.every((s): s is ApiScope => typeof s === 'string' && (ALL_SCOPES as readonly string[]).includes(s))
  ) {
    throw unprocessable('INVALID_SCOPES', `scopes must be a non-empty list of ${ALL_SCOPES.join(', ')}`, 'scopes');
  }
  const accountId = record['accountId'];
  if (accountId === undefined || accountId === null) {
    return { name, scopes: [...new Set(scopes)] };
  }

  return { name, scopes: [...new Set(scopes)], accountId: parseId(accountId, 'INVALID_ACCOUNT_ID', 'accountId') };
}

export interface AccountSettingsInput {
  readonly smartEncoding?: boolean;
  readonly dataResidency?: string | null;
}

/** `PATCH /v1/account` body: `{smartEncoding?, dataResidency?}`, the account's own settings. */
export function parseAccountSettings(body: unknown): AccountSettingsInput {
  const record = objectWith(body, ['smartEncoding', 'dataResidency']);
  const smartEncoding = record['smartEncoding'];
  if (smartEncoding !== undefined && typeof smartEncoding !== 'boolean') {
    throw unprocessable('INVALID_SMART_ENCODING', 'smartEncoding must be true or false', 'smartEncoding');
  }
  const dataResidency = parseResidency(record['dataResidency']);

  return {
    ...(smartEncoding === undefined ? {} : { smartEncoding }),
    ...(dataResidency === undefined ? {} : { dataResidency }),
  };
}

/** An id in a path or body: a UUID, compared lower-case; anything else is 422 with `code`. */
export function parseId(value: unknown, code: string, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw unprocessable(code, `${field} must be a UUID`, field);
  }

  return value.toLowerCase();
}

function parseName(value: unknown): string {
  if (typeof value !== 'string' || CONTROL.test(value)) {
    throw unprocessable('INVALID_NAME', `name must be 1-${NAME_MAX} printable characters`, 'name');
  }
  const name = value.trim();
  if (name.length === 0 || name.length > NAME_MAX) {
    throw unprocessable('INVALID_NAME', `name must be 1-${NAME_MAX} printable characters`, 'name');
  }

  return name;
}

function objectWith(body: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'INVALID_JSON', 'Request body must be a JSON object');
  }
  const record = body as Record<string, unknown>;
  const unknownField = Object.keys(record).find((k) => !fields.includes(k));
  if (unknownField) {
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${unknownField.slice(0, 64)}'`, unknownField.slice(0, 64));
  }

  return record;
}
