import type { ListCursor } from './twilio-messages.reader';
import { invalidParameter } from './twilio-error';

/**
 * PageToken: where the next page starts, opaque to the caller (`PA` + base64url of the last message's
 * creation time and id). Twilio's own tokens are opaque too; clients only copy them from next_page_uri.
 */
export const pageTokenOf = (cursor: ListCursor): string =>
  `PA${Buffer.from(`${cursor.createdAt.getTime()}:${cursor.id}`).toString('base64url')}`;

const TOKEN = /^PA[A-Za-z0-9_-]{1,96}$/;
const CURSOR = /^(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The cursor a PageToken names; anything we did not issue is a 400, never a query. */
export function cursorOfPageToken(token: string): ListCursor {
  const match = TOKEN.test(token) ? CURSOR.exec(Buffer.from(token.slice(2), 'base64url').toString('utf8')) : null;
  if (!match?.[1] || !match[2]) {
    throw invalidParameter('PageToken is not valid: copy next_page_uri from the previous page', 'PageToken');
  }

  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
