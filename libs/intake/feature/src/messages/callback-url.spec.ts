import { isPublicHttpsUrl, isPublicIpv4, isPublicIpv6 } from './callback-url';

describe(isPublicHttpsUrl.name, () => {
  // reliability.md S8, plus the spellings a URL parser turns into the same hosts.
  it.each([
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['link-local', 'https://169.254.1.1/cb'],
    ['loopback', 'https://127.0.0.1/cb'],
    ['loopback, elsewhere in 127/8', 'https://127.10.20.30/cb'],
    ['loopback as a decimal integer', 'https://2130706433/cb'],
    ['loopback in hex shorthand', 'https://0x7f.1/cb'],
    ['loopback shorthand', 'https://127.1/cb'],
    ['IPv6 loopback', 'https://[::1]/cb'],
    ['IPv6 unspecified', 'https://[::]/cb'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/cb'],
    ['IPv4-mapped loopback, long form', 'https://[0:0:0:0:0:ffff:7f00:1]/cb'],
    ['IPv4-mapped metadata', 'https://[::ffff:169.254.169.254]/cb'],
    ['unspecified IPv4', 'https://0.0.0.0/cb'],
    ['RFC 1918 10/8', 'https://10.0.0.1/cb'],
    ['RFC 1918 10/8, top', 'https://10.255.255.255/cb'],
    ['RFC 1918 172.16/12, bottom', 'https://172.16.0.1/cb'],
    ['RFC 1918 172.16/12, top', 'https://172.31.255.254/cb'],
    ['RFC 1918 192.168/16', 'https://192.168.1.1/cb'],
    ['carrier-grade NAT 100.64/10, bottom', 'https://100.64.0.1/cb'],
    ['carrier-grade NAT 100.64/10, top', 'https://100.127.255.254/cb'],
    ['benchmarking 198.18/15', 'https://198.19.0.1/cb'],
    ['multicast', 'https://224.0.0.1/cb'],
    ['broadcast', 'https://255.255.255.255/cb'],
    ['unique-local fc00::/7 (fc)', 'https://[fc00::1]/cb'],
    ['unique-local fc00::/7 (fd)', 'https://[fd12:3456:789a::1]/cb'],
    ['unique-local in capitals', 'https://[FD00::1]/cb'],
    ['link-local fe80::/10', 'https://[fe80::1]/cb'],
    ['link-local fe80::/10, top', 'https://[febf::1]/cb'],
    ['IPv6 multicast', 'https://[ff02::1]/cb'],
    ['localhost', 'https://localhost/cb'],
    ['localhost in capitals', 'https://LOCALHOST/cb'],
    ['localhost, fully qualified', 'https://localhost./cb'],
    ['a localhost subdomain', 'https://app.localhost/cb'],
    ['an *.internal name', 'https://metadata.google.internal/computeMetadata/v1/'],
    ['an *.internal name, fully qualified', 'https://metadata.google.internal./computeMetadata/v1/'],
    ['an mDNS *.local name', 'https://printer.local/cb'],
    ['a single-label name', 'https://intranet/cb'],
    ['a single-label name, fully qualified', 'https://intranet./cb'],
    ['http', 'http://app.example.com/cb'],
    ['ftp', 'ftp://app.example.com/cb'],
    ['javascript', 'javascript:alert(1)'],
    ['credentials', 'https://user:secret@app.example.com/cb'],
    ['a user name only', 'https://user@app.example.com/cb'],
    ['not a URL', 'app.example.com/cb'],
    ['empty', ''],
    ['over 2,048 characters', `https://app.example.com/${'a'.repeat(2049 - 'https://app.example.com/'.length)}`],
  ])('refuses %s: %s', (_name, url) => {
    expect(isPublicHttpsUrl(url)).toBe(false);
  });

  it.each([
    ['a public name', 'https://app.example.com/sms-status'],
    ['a public name with port, query and fragment', 'https://hooks.example.co.uk:8443/a/b?x=1#frag'],
    ['a public name, fully qualified', 'https://app.example.com./cb'],
    ['a name that only contains "internal"', 'https://internal.example.com/cb'],
    ['a name that only starts with "localhost"', 'https://localhost.example.com/cb'],
    ['a public IPv4', 'https://8.8.8.8/cb'],
    ['a public IPv4 next to 172.16/12', 'https://172.32.0.1/cb'],
    ['a public IPv4 next to 100.64/10', 'https://100.128.0.1/cb'],
    ['a public IPv4 next to 192.168/16', 'https://192.169.0.1/cb'],
    ['a public IPv6', 'https://[2606:4700:4700::1111]/cb'],
    ['exactly 2,048 characters', `https://app.example.com/${'a'.repeat(2048 - 'https://app.example.com/'.length)}`],
  ])('accepts %s: %s', (_name, url) => {
    expect(isPublicHttpsUrl(url)).toBe(true);
  });
});

describe('address classification', () => {
  it.each([
    ['0.0.0.0', false],
    ['9.255.255.255', true],
    ['10.0.0.0', false],
    ['11.0.0.0', true],
    ['100.63.255.255', true],
    ['100.64.0.0', false],
    ['100.127.255.255', false],
    ['100.128.0.0', true],
    ['127.0.0.1', false],
    ['169.253.0.1', true],
    ['169.254.0.1', false],
    ['172.15.255.255', true],
    ['172.16.0.0', false],
    ['172.31.255.255', false],
    ['172.32.0.0', true],
    ['192.167.255.255', true],
    ['192.168.0.0', false],
    ['198.17.0.1', true],
    ['198.18.0.1', false],
    ['223.255.255.255', true],
    ['224.0.0.0', false],
  ])('IPv4 %s public: %s', (address, expected) => {
    expect(isPublicIpv4(address)).toBe(expected);
  });

  it.each([
    ['::1', false],
    ['::', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.1.2.3', false],
    ['::ffff:8.8.8.8', true],
    // The hex form a URL parser produces: refused whatever it maps to, rather than decoded.
    ['::ffff:7f00:1', false],
    ['fc00::1', false],
    ['fdff::1', false],
    ['fe80::1', false],
    ['ff02::1', false],
    ['2606:4700:4700::1111', true],
  ])('IPv6 %s public: %s', (address, expected) => {
    expect(isPublicIpv6(address)).toBe(expected);
  });
});
