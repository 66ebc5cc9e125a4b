import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { type AppConfig, callbackAllowedPortsOf } from '../config/app.config';

/**
 * The one outbound address policy for URLs a caller gives us (status callbacks today): the same rules
 * decide at registration (intake refuses the URL with INVALID_CALLBACK_URL) and at send time (the
 * client re-checks the URL and every address its name resolves to, then connects to the address it
 * checked). Only public unicast addresses pass: every block of the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries is refused, whether or not IANA marks it globally reachable, because a callback
 * has no business with relays, anycast infrastructure or translation prefixes. IPv6 outside global
 * unicast (2000::/3) is refused as reserved, so a block IANA adds later inside reserved space is covered
 * before this table learns it.
 */

/** A URL or address refused by the policy; never retried. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  readonly code = 'ERR_OUTBOUND_REFUSED';
}

interface Block {
  readonly cidr: string;
  readonly name: string;
  /** Where the IPv4 address embedded in an IPv6 address of this block sits, to name what it reaches. */
  readonly embedded?: (bytes: number[]) => string;
}

const v4At = (bytes: number[], offset: number, xor = 0): string =>
  bytes
    .slice(offset, offset + 4)
    .map((byte) => byte ^ xor)
    .join('.');

/** IANA IPv4 Special-Purpose Address Registry, plus multicast and the rest of 240/4. */
export const IPV4_SPECIAL_BLOCKS: readonly Block[] = [
  { cidr: '0.0.0.0/8', name: '"this network"' },
  { cidr: '10.0.0.0/8', name: 'private-use' },
  { cidr: '100.64.0.0/10', name: 'shared address space (CGNAT)' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.0.0/16', name: 'link-local' },
  { cidr: '172.16.0.0/12', name: 'private-use' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)' },
  { cidr: '192.31.196.0/24', name: 'AS112-v4' },
  { cidr: '192.52.193.0/24', name: 'AMT' },
  { cidr: '192.88.99.0/24', name: 'deprecated 6to4 relay anycast' },
  { cidr: '192.168.0.0/16', name: 'private-use' },
  { cidr: '192.175.48.0/24', name: 'direct delegation AS112 service' },
  { cidr: '198.18.0.0/15', name: 'benchmarking' },
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '255.255.255.255/32', name: 'limited broadcast' },
  { cidr: '240.0.0.0/4', name: 'reserved' },
];

/** IANA IPv6 Special-Purpose Address Registry, plus site-local, multicast and everything outside 2000::/3. */
export const IPV6_SPECIAL_BLOCKS: readonly Block[] = [
  { cidr: '::/128', name: 'unspecified' },
  { cidr: '::1/128', name: 'loopback' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped', embedded: (b) => v4At(b, 12) },
  { cidr: '::/96', name: 'IPv4-compatible (deprecated)', embedded: (b) => v4At(b, 12) },
  { cidr: '64:ff9b::/96', name: 'NAT64 well-known prefix', embedded: (b) => v4At(b, 12) },
  { cidr: '64:ff9b:1::/48', name: 'local-use NAT64' },
  { cidr: '100::/64', name: 'discard-only' },
  { cidr: '100:0:0:1::/64', name: 'dummy prefix' },
  // Teredo's client IPv4 sits in the last 32 bits, inverted (RFC 4380).
  { cidr: '2001::/32', name: 'Teredo', embedded: (b) => v4At(b, 12, 0xff) },
  { cidr: '2001:2::/48', name: 'benchmarking' },
  { cidr: '2001:10::/28', name: 'ORCHID (deprecated)' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2' },
  { cidr: '2001::/23', name: 'IETF protocol assignments' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: '2002::/16', name: '6to4', embedded: (b) => v4At(b, 2) },
  { cidr: '2620:4f:8000::/48', name: 'direct delegation AS112 service' },
  { cidr: '3fff::/20', name: 'documentation' },
  { cidr: '5f00::/16', name: 'segment routing (SRv6) SIDs' },
  { cidr: 'fc00::/7', name: 'unique-local' },
  { cidr: 'fe80::/10', name: 'link-local' },
  { cidr: 'fec0::/10', name: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', name: 'multicast' },
];

const parsed = (blocks: readonly Block[]) => blocks.map((block) => ({ ...block, range: ipaddr.parseCIDR(block.cidr) }));
const V4 = parsed(IPV4_SPECIAL_BLOCKS);
const V6 = parsed(IPV6_SPECIAL_BLOCKS);
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/** Why an address is not public (`null`: a public unicast address a callback may reach). */
export function nonPublicReason(address: string): string | null {
  // node:net's parser takes dotted-quad IPv4 only: a shorthand (127.1, 0x7f000001) is not read as an
  // address here while a socket library might connect to it as one.
  const family = isIP(address);
  if (family === 0) {
    return 'not an IP address';
  }
  if (family === 4) {
    const ip = ipaddr.IPv4.parse(address);
    const block = V4.find((candidate) => ip.match(candidate.range as [ipaddr.IPv4, number]));

    return block ? `${block.name} ${block.cidr}` : null;
  }
  const ip = ipaddr.IPv6.parse(address);
  const block = V6.find((candidate) => ip.match(candidate.range as [ipaddr.IPv6, number]));
  if (block) {
    // The block is refused whatever it embeds; naming the embedded address tells an operator what the
    // URL was aiming at (a mapped or translated loopback reads as loopback).
    const embedded = block.embedded?.(ip.toByteArray());
    const inner = embedded ? nonPublicReason(embedded) : null;

    return `${block.name} ${block.cidr}${embedded ? ` (embeds ${embedded}${inner ? `: ${inner}` : ''})` : ''}`;
  }
  if (!ip.match(GLOBAL_UNICAST)) {
    return 'reserved (outside global unicast 2000::/3)';
  }

  return null;
}

export const isPublicAddress = (address: string): boolean => nonPublicReason(address) === null;

export interface OutboundPolicy {
  /** Tests only (CALLBACK_ALLOW_INSECURE): http, any port and non-public addresses allowed. */
  readonly allowInsecure: boolean;
  /** https ports allowed besides 443 (CALLBACK_ALLOWED_PORTS). */
  readonly allowedPorts: readonly number[];
}

export const STRICT_OUTBOUND_POLICY: OutboundPolicy = { allowInsecure: false, allowedPorts: [] };

/** Host names that never lead to the public internet (RFC 6761, RFC 6762, RFC 8375, RFC 7686, cloud metadata). */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|home\.arpa|onion|invalid)$/;

export const MAX_OUTBOUND_URL_LENGTH = 2048;

/**
 * Every check that needs no DNS: a parseable https URL of at most 2,048 characters, no credentials,
 * port 443 or an allowed one, a public literal address or a dotted name that is not internal.
 * Returns the parsed URL or throws {@link OutboundRefusedError} saying which rule it broke.
 */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy): URL {
  if (raw.length > MAX_OUTBOUND_URL_LENGTH) {
    throw new OutboundRefusedError('URL is longer than 2048 characters');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefusedError('not a URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) {
    throw new OutboundRefusedError('URL must be https');
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundRefusedError('URL must not carry credentials');
  }
  if (policy.allowInsecure) {
    return url;
  }
  // The URL parser leaves the port empty when it is the scheme's default (443 here).
  const port = url.port === '' ? 443 : Number(url.port);
  if (port !== 443 && !policy.allowedPorts.includes(port)) {
    throw new OutboundRefusedError(`port ${port} is not allowed (443 or CALLBACK_ALLOWED_PORTS)`);
  }
  // The parser has already turned every IPv4 spelling (2130706433, 0x7f.1, 127.1) into dotted quads
  // and IPv6 into its compressed form; a trailing dot is the same name fully qualified.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host) !== 0) {
    const reason = nonPublicReason(host);
    if (reason) {
      throw new OutboundRefusedError(`address is not public: ${reason}`);
    }

    return url;
  }
  if (!host.includes('.') || INTERNAL_NAME.test(host)) {
    throw new OutboundRefusedError('host is an internal name');
  }

  return url;
}

/** The policy's verdict without the exception: the refusal reason, or null when the URL passes. */
export function outboundUrlRefusal(raw: string, policy: OutboundPolicy): string | null {
  try {
    checkOutboundUrl(raw, policy);

    return null;
  } catch (error) {
    if (error instanceof OutboundRefusedError) {
      return error.message;
    }
    throw error;
  }
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/**
 * A `lookup` for net/tls connect: resolves the name, refuses it when *any* answer is not public (a
 * mixed answer is a rebinding attempt), and hands the connection exactly the address it checked, so
 * the address is pinned for this connection (no second resolution between check and connect).
 */
export function pinnedLookup(policy: OutboundPolicy, resolver: Resolver = systemResolver) {
  return (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolver(hostname)
      .then((addresses) => {
        if (addresses.length === 0) {
          throw new OutboundRefusedError('host has no address');
        }
        if (!policy.allowInsecure) {
          for (const answer of addresses) {
            const reason = nonPublicReason(answer.address);
            if (reason) {
              throw new OutboundRefusedError(`host resolves to a non-public address: ${reason}`);
            }
          }
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

/** The callback policy a process runs with, from its settings. */
export const outboundPolicyOf = (config: Pick<AppConfig, 'callbacks'>): OutboundPolicy => ({
  allowInsecure: config.callbacks.allowInsecure,
  allowedPorts: callbackAllowedPortsOf(config),
});
