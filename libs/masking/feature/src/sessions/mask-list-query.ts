import { unprocessable } from '@sms/platform';

/** `GET /v1/masks` parameters, validated. */
export interface MaskListQuery {
  readonly limit: number;
  readonly status?: 'active' | 'closed';
  /** The last session of the previous page (from `cursor`). */
  readonly after?: { readonly createdAt: Date; readonly id: string };
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const KNOWN = new Set(['limit', 'status', 'cursor']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads the query string: an unknown parameter, a bad limit, status or cursor is a 422 naming it. */
export function parseMaskListQuery(query: Record<string, unknown>): MaskListQuery {
  for (const key of Object.keys(query)) {
    if (!KNOWN.has(key)) {
      throw unprocessable('UNKNOWN_PARAMETER', `unknown query parameter '${key}'`, key);
    }
  }
  const limitText = query['limit'];
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (typeof limitText === 'object' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw unprocessable('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_LIMIT}`, 'limit');
  }
  const status = query['status'];
  if (status !== undefined && status !== 'active' && status !== 'closed') {
    throw unprocessable('INVALID_STATUS', "status must be 'active' or 'closed'", 'status');
  }
  const cursor = query['cursor'];

  return {
    limit,
    ...(status !== undefined && { status }),
    ...(cursor !== undefined && { after: decodeMaskCursor(cursor) }),
  };
}

/** The opaque cursor of the page after `after`: the last session's creation time and id. */
export function encodeMaskCursor(after: { readonly createdAt: Date; readonly id: string }): string {
  return Buffer.from(`${after.createdAt.toISOString()}|${after.id}`, 'utf8').toString('base64url');
}

function decodeMaskCursor(cursor: unknown): { createdAt: Date; id: string } {
  const invalid = () => unprocessable('INVALID_CURSOR', 'cursor is not one this API returned', 'cursor');
  if (typeof cursor !== 'string' || cursor.length > 128) {
    throw invalid();
  }
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (rest.length > 0 || id === undefined || !UUID.test(id) || Number.isNaN(createdAt.getTime())) {
    throw invalid();
  }

  return { createdAt, id };
}
