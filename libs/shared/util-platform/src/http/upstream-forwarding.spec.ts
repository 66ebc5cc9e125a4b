import Fastify, { type FastifyInstance } from 'fastify';
import { forwardUpstreams } from './upstream-forwarding';

/** A real upstream on a loopback port that echoes what it received. */
async function echoUpstream(): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  app.all('/*', async (request) => ({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body ?? null,
  }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  return { app, url };
}

describe(forwardUpstreams.name, () => {
  let upstream: { app: FastifyInstance; url: string };
  let proxy: FastifyInstance;

  beforeAll(async () => {
    upstream = await echoUpstream();
    proxy = Fastify({ trustProxy: true });
    await forwardUpstreams(
      proxy,
      [
        { prefix: '/v1/providers', upstream: upstream.url },
        { prefix: '/v1/masks', upstream: 'http://127.0.0.1:1' },
        { prefix: '/v1/opt-outs', upstream: '' },
      ],
      { timeoutMs: 1_000 },
    );
    await proxy.ready();
  });

  afterAll(async () => {
    await proxy.close();
    await upstream.app.close();
  });

  it('passes the method, path, query, body and API key on', async () => {
    const answer = await proxy.inject({
      method: 'POST',
      url: '/v1/providers/twilio?x=1',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      payload: { name: 'twilio' },
    });

    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({
      method: 'POST',
      url: '/v1/providers/twilio?x=1',
      headers: { authorization: 'Bearer k' },
      body: { name: 'twilio' },
    });
  });

  it('serves the prefix itself', async () => {
    const answer = await proxy.inject({ method: 'GET', url: '/v1/providers' });

    expect(answer.json()).toMatchObject({ method: 'GET', url: '/v1/providers' });
  });

  it('sets the forwarding headers itself, appends the peer it saw and drops what Connection names', async () => {
    const answer = await proxy.inject({
      method: 'GET',
      url: '/v1/providers',
      remoteAddress: '192.0.2.7',
      headers: {
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=10.0.0.1',
        connection: 'x-secret',
        'x-secret': 'dropped',
      },
    });
    const { headers } = answer.json<{ headers: Record<string, string> }>();

    expect(headers['x-forwarded-host']).toBeUndefined();
    expect(headers['forwarded']).toBeUndefined();
    expect(headers['x-secret']).toBeUndefined();
    expect(headers['x-forwarded-for']).toBe('10.0.0.1, 192.0.2.7');
    expect(headers['x-forwarded-proto']).toBe('http');
  });

  it('answers 502 UPSTREAM_UNAVAILABLE in the API error shape when the upstream cannot be reached', async () => {
    const answer = await proxy.inject({ method: 'GET', url: '/v1/masks/abc' });

    expect(answer.statusCode).toBe(502);
    expect(answer.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
  });

  it('registers nothing for a prefix without an upstream', async () => {
    expect((await proxy.inject({ method: 'GET', url: '/v1/opt-outs' })).statusCode).toBe(404);
  });

  it('leaves other paths alone', async () => {
    expect((await proxy.inject({ method: 'GET', url: '/v1/providersx' })).statusCode).toBe(404);
  });
});
