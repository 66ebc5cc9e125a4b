import { isIP } from 'node:net';

/**
 * First line of SSRF defence at registration (reliability.md S8): https only, no credentials, no
 * loopback, private, link-local, metadata or unique-local literal addresses, no internal names. The
 * callback sender re-checks the resolved address at dispatch time (names can be rebound).
 */
export function isPublicHttpsUrl(value: string): boolean {
  if (value.length > 2048) {
    return false;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') {
    return false;
  }
  // A trailing dot is the same name fully qualified (`localhost.`): drop it before the name checks.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) {
    return false;
  }
  const family = isIP(host);
  if (family === 4) {
    return isPublicIpv4(host);
  }
  if (family === 6) {
    return isPublicIpv6(host);
  }

  return host.includes('.');
}

export function isPublicIpv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);

  return !(
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

export function isPublicIpv6(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::' || lower === '::1') {
    return false;
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) {
    return isPublicIpv4(mapped[1]);
  }
  if (lower.startsWith('::ffff:')) {
    return false;
  }

  return !/^(fc|fd|fe[89ab]|ff)/.test(lower);
}
