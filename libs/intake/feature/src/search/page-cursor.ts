import { createHash } from 'node:crypto';
import { unprocessable, type ApiError } from '@sms/platform';

/** Where a page ended: the (time, id) of its last row, the keyset the next page starts after. */
export interface PagePosition {
  readonly at: Date;
  readonly id: string;
}

const VERSION = 1;
/** Ids are UUIDs; anything longer in a cursor was not written by this code. */
const MAX_ID_LENGTH = 36;
/** Longer than any cursor this code writes: refused before any decoding work. */
const MAX_CURSOR_LENGTH = 256;

const invalidCursor = (why: string): ApiError =>
  unprocessable('INVALID_CURSOR', `cursor is not one this search returned (${why})`, 'cursor');

const checksum = (payload: string): string =>
  createHash('sha256').update('sms-gateway page cursor').update(payload).digest('base64url').slice(0, 16);

/**
 * A stable digest of what a search is scoped to (the account, the list and every filter). A cursor
 * carries it, so a cursor made for one account or one set of filters is refused under another: the next
 * page can never widen the search it continues.
 */
export function searchScopeDigest(scope: Readonly<Record<string, unknown>>): string {
  const canonical = JSON.stringify(
    Object.keys(scope)
      .sort()
      .map((key) => [key, scope[key] ?? null]),
  );

  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

/**
 * An opaque cursor: base64url JSON of the position and the scope digest, and a checksum over it so an
 * edited cursor is refused rather than silently moving the page. The checksum is not a secret: what keeps
 * data apart is that the account and the filters are always in the query; a forged cursor can only
 * position a search the caller could run anyway.
 */
export function encodeCursor(position: PagePosition, scopeDigest: string): string {
  const payload = Buffer.from(
    JSON.stringify({ v: VERSION, t: position.at.getTime(), i: position.id, s: scopeDigest }),
  ).toString('base64url');

  return `${payload}.${checksum(payload)}`;
}

/** The position a cursor points at; 422 INVALID_CURSOR when it is malformed, edited or made for another search. */
export function decodeCursor(cursor: string, scopeDigest: string, maxIdLength = MAX_ID_LENGTH): PagePosition {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw invalidCursor('wrong length');
  }
  const [payload, check, ...rest] = cursor.split('.');
  if (!payload || !check || rest.length > 0 || checksum(payload) !== check) {
    throw invalidCursor('damaged or edited');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('unreadable');
  }
  const { v, t, i, s } = (decoded ?? {}) as Record<string, unknown>;
  if (v !== VERSION || typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) {
    throw invalidCursor('unreadable');
  }
  if (typeof i !== 'string' || i.length === 0 || i.length > maxIdLength) {
    throw invalidCursor('unreadable');
  }
  if (s !== scopeDigest) {
    throw invalidCursor('made for another account or other filters');
  }

  return { at: new Date(t), id: i };
}
