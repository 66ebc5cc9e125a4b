import { accountSidOf } from '@sms/contracts';
import type { ApiKeyService, ApiPrincipal } from './api-key.service';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** Longest Authorization header decoded: an AccountSid (34) and a key (≤ 200) base64-encoded, with room. */
const MAX_BASIC_HEADER = 512;

/** `Authorization: Basic base64(username:password)` (RFC 7617), or null when the header is anything else. */
export function basicCredentialsOf(header: string | undefined): BasicCredentials | null {
  if (header === undefined || header.length > MAX_BASIC_HEADER) {
    return null;
  }
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match?.[1]) {
    return null;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    return null;
  }

  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Basic authentication as Twilio's clients send it (docs/twilio-compat.md): the username names the
 * account (its AccountSid, `AC` + the id's 32 hex digits, or the id itself) and the password is an API key
 * of that account. A key of another account is refused like an unknown key: the username must not let
 * a caller act for, or learn of, an account its key does not belong to.
 */
export async function verifyBasicAuthorization(
  keys: Pick<ApiKeyService, 'verify'>,
  header: string | undefined,
): Promise<ApiPrincipal | null> {
  const credentials = basicCredentialsOf(header);
  if (!credentials) {
    return null;
  }
  const principal = await keys.verify(credentials.password);
  if (!principal) {
    return null;
  }
  const { username } = credentials;

  return username === accountSidOf(principal.accountId) || username === principal.accountId ? principal : null;
}
