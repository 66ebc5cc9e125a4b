import { callbackUrlRefusal } from './callback-url';

const isPublicHttpsUrl = (url: string): boolean => callbackUrlRefusal(url) === null;

// Every special-purpose block is covered by @sms/platform's outbound-address.policy.spec; these are
// the URL spellings a caller registers and the findings of issue 19.
describe(callbackUrlRefusal.name, () => {
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
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/cb'],
    ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/cb'],
    ['NAT64 of a public address', 'https://[64:ff9b::808:808]/cb'],
    ['6to4', 'https://[2002:7f00:1::1]/cb'],
    ['Teredo', 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/cb'],
    ['site-local fec0::/10', 'https://[fec0::1]/cb'],
    ['a documentation address', 'https://203.0.113.5/cb'],
    ['a port other than 443', 'https://hooks.example.co.uk:8443/a/b?x=1#frag'],
    ['an SSH port', 'https://app.example.com:22/cb'],
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
    ['a public name with query and fragment', 'https://hooks.example.co.uk/a/b?x=1#frag'],
    ['a public name with an explicit 443', 'https://hooks.example.co.uk:443/a'],
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

describe('callbackUrl ports', () => {
  it('accepts a port CALLBACK_ALLOWED_PORTS lists, on a public host only', () => {
    const policy = { allowInsecure: false, allowedPorts: [8443] };

    expect(callbackUrlRefusal('https://hooks.example.co.uk:8443/cb', policy)).toBeNull();
    expect(callbackUrlRefusal('https://hooks.example.co.uk:9443/cb', policy)).toContain('port 9443');
    expect(callbackUrlRefusal('https://127.0.0.1:8443/cb', policy)).toContain('not public');
  });
});
