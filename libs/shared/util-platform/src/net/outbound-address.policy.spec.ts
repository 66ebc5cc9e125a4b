import {
  checkOutboundUrl,
  isPublicAddress,
  nonPublicReason,
  type OutboundPolicy,
  outboundPolicyOf,
  outboundUrlRefusal,
  pinnedLookup,
  STRICT_OUTBOUND_POLICY,
} from './outbound-address.policy';
import { loadConfig } from '../config/app.config';

/**
 * One row per special-purpose block: an address inside is refused, and (where the block has a public
 * neighbour) the first address past its edge is accepted, so an off-by-one in the table fails here.
 */
const BLOCKS: readonly [block: string, inside: string, neighbour: string | null][] = [
  // IPv4 Special-Purpose Address Registry
  ['0.0.0.0/8 this network', '0.1.2.3', '1.0.0.1'],
  ['10.0.0.0/8 private', '10.255.255.254', '11.0.0.1'],
  ['100.64.0.0/10 CGNAT', '100.127.255.254', '100.128.0.1'],
  ['100.64.0.0/10 CGNAT, low edge', '100.64.0.1', '100.63.255.254'],
  ['127.0.0.0/8 loopback', '127.10.20.30', '128.0.0.1'],
  ['169.254.0.0/16 link-local (metadata)', '169.254.169.254', '169.255.0.1'],
  ['172.16.0.0/12 private', '172.31.255.254', '172.32.0.1'],
  ['172.16.0.0/12 private, low edge', '172.16.0.1', '172.15.255.254'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.170', '192.0.1.1'],
  ['192.0.2.0/24 TEST-NET-1', '192.0.2.10', '192.0.3.1'],
  ['192.31.196.0/24 AS112-v4', '192.31.196.1', '192.31.197.1'],
  ['192.52.193.0/24 AMT', '192.52.193.1', '192.52.194.1'],
  ['192.88.99.0/24 6to4 relay anycast', '192.88.99.1', '192.88.100.1'],
  ['192.168.0.0/16 private', '192.168.1.1', '192.169.0.1'],
  ['192.175.48.0/24 AS112 direct delegation', '192.175.48.1', '192.175.49.1'],
  ['198.18.0.0/15 benchmarking', '198.19.255.254', '198.20.0.1'],
  ['198.18.0.0/15 benchmarking, low edge', '198.18.0.1', '198.17.255.254'],
  ['198.51.100.0/24 TEST-NET-2', '198.51.100.7', '198.51.101.1'],
  ['203.0.113.0/24 TEST-NET-3', '203.0.113.7', '203.0.114.1'],
  ['224.0.0.0/4 multicast', '239.255.255.250', '223.255.255.254'],
  ['240.0.0.0/4 reserved', '240.0.0.1', null],
  ['255.255.255.255 broadcast', '255.255.255.255', null],
  // IPv6 Special-Purpose Address Registry (and the reserved space around it)
  ['::/128 unspecified', '::', null],
  ['::1/128 loopback', '::1', null],
  ['::ffff:0:0/96 IPv4-mapped, of a public address too', '::ffff:8.8.8.8', null],
  ['::ffff:0:0/96 IPv4-mapped, hex form', '::ffff:7f00:1', null],
  ['::/96 IPv4-compatible loopback (the [::127.0.0.1] finding)', '::7f00:1', null],
  ['::/96 IPv4-compatible, of a public address too', '::808:808', null],
  ['64:ff9b::/96 NAT64', '64:ff9b::a00:1', '2600::1'],
  ['64:ff9b::/96 NAT64 of a public address too', '64:ff9b::808:808', null],
  ['64:ff9b:1::/48 local-use NAT64', '64:ff9b:1::1', null],
  ['100::/64 discard-only', '100::1', null],
  ['2001::/32 Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:200::1'],
  ['2001:2::/48 benchmarking', '2001:2::1', null],
  ['2001:10::/28 ORCHID', '2001:10::1', null],
  ['2001:20::/28 ORCHIDv2', '2001:20::1', null],
  ['2001::/23 IETF protocol assignments', '2001:1ff::1', '2001:200::1'],
  ['2001:db8::/32 documentation', '2001:db8::1', '2001:db9::1'],
  ['2002::/16 6to4 (embeds 127.0.0.1)', '2002:7f00:1::1', '2003::1'],
  ['2002::/16 6to4 of a public address too', '2002:808:808::1', null],
  ['2620:4f:8000::/48 AS112 direct delegation', '2620:4f:8000::1', '2620:4f:8001::1'],
  ['3fff::/20 documentation', '3fff::1', '3ffe:ffff::1'],
  ['5f00::/16 SRv6 SIDs', '5f00::1', null],
  ['fc00::/7 unique-local', 'fd12:3456:789a::1', null],
  ['fe80::/10 link-local', 'febf::1', null],
  ['fec0::/10 site-local', 'fec0::1', null],
  ['ff00::/8 multicast', 'ff02::1', null],
  ['reserved outside 2000::/3 (::/8 beyond the blocks)', '::1:0:0:1', null],
  ['reserved outside 2000::/3 (4000::/3)', '4000::1', '3ffe::1'],
];

describe(nonPublicReason.name, () => {
  it.each(BLOCKS)('%s: refuses %s, accepts its neighbour %s', (_block, inside, neighbour) => {
    expect(nonPublicReason(inside)).not.toBeNull();
    expect(isPublicAddress(inside)).toBe(false);
    if (neighbour !== null) {
      expect(nonPublicReason(neighbour)).toBeNull();
    }
  });

  it.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped ::ffff:0:0/96 (embeds 127.0.0.1: loopback 127.0.0.0/8)'],
    ['::7f00:1', 'IPv4-compatible (deprecated) ::/96 (embeds 127.0.0.1: loopback 127.0.0.0/8)'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 well-known prefix 64:ff9b::/96 (embeds 169.254.169.254: link-local 169.254.0.0/16)'],
    ['2002:a00:1::1', '6to4 2002::/16 (embeds 10.0.0.1: private-use 10.0.0.0/8)'],
    // Teredo inverts the client address: 0x80ffffff ^ 0xffffffff = 127.0.0.0.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo 2001::/32 (embeds 127.0.0.1: loopback 127.0.0.0/8)'],
  ])('names the IPv4 address %s embeds', (address, reason) => {
    expect(nonPublicReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4009:81f::200e'])(
    'accepts the public address %s',
    (address) => {
      expect(nonPublicReason(address)).toBeNull();
    },
  );

  it.each(['not-an-ip', '127.1', '0x7f000001', '2130706433', ''])(
    'refuses %s, which is not a plain IP address',
    (value) => {
      expect(nonPublicReason(value)).toBe('not an IP address');
    },
  );
});

describe(checkOutboundUrl.name, () => {
  const refusal = (url: string, policy: OutboundPolicy = STRICT_OUTBOUND_POLICY) => outboundUrlRefusal(url, policy);

  it.each([
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/cb', 'not public'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/cb', 'not public'],
    ['NAT64 of the metadata address', 'https://[64:ff9b::a9fe:a9fe]/cb', 'not public'],
    ['6to4 of a private address', 'https://[2002:a00:1::1]/cb', 'not public'],
    ['site-local', 'https://[fec0::1]/cb', 'not public'],
    ['loopback as a decimal integer', 'https://2130706433/cb', 'not public'],
    ['loopback in hex shorthand', 'https://0x7f.1/cb', 'not public'],
    ['a documentation address', 'https://192.0.2.1/cb', 'not public'],
    ['port 8443 by default', 'https://hooks.example.com:8443/cb', 'port 8443'],
    ['port 22', 'https://hooks.example.com:22/cb', 'port 22'],
    ['port 80 on https', 'https://hooks.example.com:80/cb', 'port 80'],
    ['http', 'http://hooks.example.com/cb', 'https'],
    ['credentials', 'https://user:pw@hooks.example.com/cb', 'credentials'],
    ['localhost', 'https://localhost./cb', 'internal'],
    ['an *.internal name', 'https://metadata.google.internal/cb', 'internal'],
    ['a home.arpa name', 'https://router.home.arpa/cb', 'internal'],
    ['a single label', 'https://intranet/cb', 'internal'],
    ['not a URL', 'hooks.example.com/cb', 'not a URL'],
    ['over 2,048 characters', `https://hooks.example.com/${'a'.repeat(2048)}`, 'longer'],
  ])('refuses %s: %s', (_name, url, reason) => {
    expect(refusal(url)).toContain(reason);
  });

  it.each([
    ['a public name', 'https://hooks.example.com/cb'],
    ['explicit port 443', 'https://hooks.example.com:443/cb'],
    ['a public IPv4', 'https://8.8.8.8/cb'],
    ['a public IPv6', 'https://[2606:4700:4700::1111]/cb'],
    ['a name that only contains "internal"', 'https://internal.example.com/cb'],
  ])('accepts %s: %s', (_name, url) => {
    expect(refusal(url)).toBeNull();
  });

  it('accepts the ports CALLBACK_ALLOWED_PORTS lists, and only those', () => {
    const policy = outboundPolicyOf(loadConfig({ CALLBACK_ALLOWED_PORTS: '8443,9443' }));

    expect(policy.allowedPorts).toEqual([8443, 9443]);
    expect(refusal('https://hooks.example.com:8443/cb', policy)).toBeNull();
    expect(refusal('https://hooks.example.com:9443/cb', policy)).toBeNull();
    expect(refusal('https://hooks.example.com:8080/cb', policy)).toContain('port 8080');
    // An allowed port does not open a non-public address.
    expect(refusal('https://10.0.0.1:8443/cb', policy)).toContain('not public');
  });

  it.each(['0', '65536', 'https', '443;8443'])('refuses CALLBACK_ALLOWED_PORTS=%s at boot', (value) => {
    expect(() => loadConfig({ CALLBACK_ALLOWED_PORTS: value })).toThrow(/CALLBACK_ALLOWED_PORTS/);
  });

  it('lets the tests-only insecure policy through http, any port and loopback', () => {
    const insecure: OutboundPolicy = { allowInsecure: true, allowedPorts: [] };

    expect(checkOutboundUrl('http://127.0.0.1:3000/cb', insecure).port).toBe('3000');
  });
});

describe(pinnedLookup.name, () => {
  const lookup = (answers: string[]) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      pinnedLookup(STRICT_OUTBOUND_POLICY, () =>
        Promise.resolve(answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))),
      )('hooks.example.com', {}, (error, address) => resolve({ error, address })),
    );

  it.each([[['::7f00:1']], [['2002:a00:1::1']], [['8.8.8.8', '198.18.0.1']], [['64:ff9b::a00:1']]])(
    'refuses a name answering %j',
    async (answers) => {
      const { error } = await lookup(answers);

      expect(error?.message).toContain('non-public');
    },
  );

  it('hands the connection the address it checked', async () => {
    expect(await lookup(['93.184.216.34', '8.8.8.8'])).toEqual({ error: null, address: '93.184.216.34' });
  });
});
