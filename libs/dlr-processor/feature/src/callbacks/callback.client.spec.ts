import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackClient, signCallback } from './callback.client';

describe('CallbackClient SSRF protection', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      hits++;
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const strict = (resolve: (host: string) => string[]) =>
    new CallbackClient({
      secret: 's',
      allowInsecure: false,
      allowedPorts: [],
      resolver: (host) =>
        Promise.resolve(resolve(host).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))),
    });

  it.each([
    ['http://example.com/cb', 'must be https'],
    ['https://127.0.0.1/cb', 'not public'],
    ['https://[::1]/cb', 'not public'],
    ['https://[::ffff:127.0.0.1]/cb', 'not public'],
    // IPv4-compatible loopback: ipaddr.js classes it as unicast, the shared policy refuses ::/96.
    ['https://[::127.0.0.1]/cb', 'not public'],
    ['https://[64:ff9b::7f00:1]/cb', 'not public'],
    ['https://[2002:7f00:1::1]/cb', 'not public'],
    ['https://[fec0::1]/cb', 'not public'],
    ['https://example.com:8443/cb', 'port 8443'],
    ['https://169.254.169.254/latest/meta-data', 'not public'],
    ['https://10.0.0.7/cb', 'not public'],
    ['https://user:pw@example.com/cb', 'credentials'],
    ['not a url', 'not a URL'],
  ])('refuses %s before connecting', async (url, reason) => {
    const client = strict(() => ['93.184.216.34']);
    const outcome = await client.post(url, '{}');
    await client.close();

    expect(outcome.kind).toBe('refused');
    expect(outcome.kind === 'refused' && outcome.error).toContain(reason);
  });

  it('refuses a name that resolves to a private, loopback or mapped address (checked at connect time)', async () => {
    for (const answer of [
      ['10.0.0.5'],
      ['127.0.0.1'],
      ['::ffff:127.0.0.1'],
      ['::7f00:1'],
      ['93.184.216.34', '192.168.0.1'],
    ]) {
      // Port 443 would be the policy's; the test server's port is allowed here so only the address decides.
      const client = new CallbackClient({
        secret: 's',
        allowInsecure: false,
        allowedPorts: [port],
        resolver: () => Promise.resolve(answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))),
      });
      const outcome = await client.post(`https://internal.example.test:${port}/cb`, '{}');
      await client.close();
      expect(outcome).toMatchObject({ kind: 'refused', error: expect.stringContaining('non-public') });
    }
    expect(hits).toBe(0);
  });

  it('connects to the address it checked (pinned), signing the body with the timestamp', async () => {
    let seen: { timestamp: string; signature: string; body: string } | undefined;
    const signed = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        seen = {
          timestamp: request.headers['x-sms-gateway-timestamp'] as string,
          signature: request.headers['x-sms-gateway-signature'] as string,
          body,
        };
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => signed.listen(0, '127.0.0.1', resolve));
    const lookups: string[] = [];
    // Insecure mode (tests): http and loopback allowed, but still through the pinned lookup.
    const client = new CallbackClient({
      secret: 'top-secret',
      allowInsecure: true,
      allowedPorts: [],
      resolver: (host) => {
        lookups.push(host);

        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      },
      now: () => new Date(1_700_000_000_000),
    });
    const outcome = await client.post(
      `http://caller.example.test:${(signed.address() as AddressInfo).port}/cb`,
      '{"a":1}',
    );
    await client.close();
    await new Promise((resolve) => signed.close(resolve));

    expect(outcome).toEqual({ kind: 'delivered', statusCode: 200 });
    expect(lookups).toEqual(['caller.example.test']);
    expect(seen).toEqual({
      timestamp: '1700000000',
      signature: createHmac('sha256', 'top-secret').update('1700000000.{"a":1}').digest('hex'),
      body: '{"a":1}',
    });
    expect(signCallback('top-secret', '1700000000', '{"a":1}')).toBe(seen?.signature);
  });
});
