import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A callback refused before any byte was sent: never retried. */
export class CallbackRefusedError extends Error {
  override readonly name = 'CallbackRefusedError';
  readonly code = 'ERR_CALLBACK_REFUSED';
}

/**
 * True only for a public unicast address. ipaddr.js classifies every special-purpose range (loopback,
 * RFC 1918 private, link-local incl. the 169.254.169.254 metadata address, CGNAT, unique-local,
 * multicast, NAT64/6to4/Teredo that can reach internal IPv4) and `process` unwraps IPv4-mapped IPv6
 * (::ffff:127.0.0.1) first; anything but plain `unicast` is refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) {
    return false;
  }

  return ipaddr.process(address).range() === 'unicast';
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export interface AddressPolicy {
  /** Tests only: http and private addresses allowed. */
  readonly allowInsecure: boolean;
}

/** Scheme and literal-address checks that need no DNS; throws {@link CallbackRefusedError}. */
export function checkCallbackUrl(raw: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackRefusedError('callback URL is not a URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) {
    throw new CallbackRefusedError('callback URL must be https');
  }
  if (url.username || url.password) {
    throw new CallbackRefusedError('callback URL must not carry credentials');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !policy.allowInsecure && !isPublicAddress(host)) {
    throw new CallbackRefusedError('callback address is not public');
  }

  return url;
}

/**
 * A `lookup` for net/tls connect: resolves the name, refuses it when *any* answer is not public (a
 * mixed answer is a rebinding attempt), and hands the connection exactly the address it checked, so
 * the address is pinned for this connection (no second resolution between check and connect).
 */
export function pinnedLookup(policy: AddressPolicy, resolver: Resolver = systemResolver) {
  return (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolver(hostname)
      .then((addresses) => {
        if (addresses.length === 0) {
          throw new CallbackRefusedError('callback host has no address');
        }
        if (!policy.allowInsecure && addresses.some((a) => !isPublicAddress(a.address))) {
          throw new CallbackRefusedError('callback host resolves to a non-public address');
        }
        const chosen = addresses[0] as LookupAddress;
        if (options.all) {
          callback(null, [chosen]);
        } else {
          callback(null, chosen.address, chosen.family);
        }
      })
      .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''));
  };
}
