import { type RawLoadSpec, requestOf } from './raw-load-process';

const spec: RawLoadSpec = {
  host: '127.0.0.1',
  port: 3001,
  method: 'POST',
  path: '/v1/messages',
  headers: { 'content-type': 'application/json' },
  body: '{"to":"+4474001234{i}"}',
  variants: 40,
  count: 100,
  warmUp: 0,
  rate: 100,
  connections: 1,
  timeoutMs: 1000,
};

describe('requestOf', () => {
  it('builds a framed request whose body varies by index modulo the variants, two digits wide', () => {
    const text = requestOf(spec, 43).toString('latin1');
    expect(text.startsWith('POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1:3001\r\n')).toBe(true);
    expect(text.endsWith('\r\n\r\n{"to":"+447400123403"}')).toBe(true);
    expect(text).toContain(`content-length: ${'{"to":"+447400123403"}'.length}`);
  });

  it('varies a GET path the same way', () => {
    const get = { ...spec, method: 'GET' as const, path: '/send?to=4474001234{i}', body: '' };
    expect(requestOf(get, 7).toString('latin1')).toMatch(/^GET \/send\?to=447400123407 HTTP\/1\.1\r\n/);
  });
});
