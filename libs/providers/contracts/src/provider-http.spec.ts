import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { fetchFailure } from './fetch-failure';
import { createProviderAgent, createProviderHttp } from './provider-http';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('createProviderHttp', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  let agent: Agent;
  const connections = new Set<string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      connections.add(`${req.socket.remotePort}`);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    agent = new Agent({ keepAliveTimeout: 4_000 });
    connections.clear();
  });

  afterEach(async () => {
    await agent.close();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends method, headers and body, and reads status and text', async () => {
    let seen: { method?: string; auth?: string; type?: string; body?: string } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], body };
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
    };
    const http = createProviderHttp(agent);

    const response = await http(`${base}/send`, {
      method: 'POST',
      headers: { Authorization: 'Basic abc', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B447400123400&Body=hi',
    });

    expect(seen).toEqual({
      method: 'POST',
      auth: 'Basic abc',
      type: 'application/x-www-form-urlencoded',
      body: 'To=%2B447400123400&Body=hi',
    });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(201);
    await expect(response.text()).resolves.toBe('{"sid":"SM1"}');
  });

  it('reuses keep-alive connections for consecutive calls to an origin', async () => {
    handler = (_req, _body, res) => res.end('ok');
    const http = createProviderHttp(agent);

    for (let i = 0; i < 6; i++) {
      const response = await http(`${base}/n${i}`, { method: 'GET', headers: {} });
      await response.text();
    }

    // undici may open a second connection while the first one's response is being completed, never one a call.
    expect(connections.size).toBeLessThanOrEqual(2);
  });

  it('opens no more connections to an origin than its bound, queueing the calls beyond it', async () => {
    handler = (_req, _body, res) => setTimeout(() => res.end('ok'), 20);
    const bounded = createProviderAgent(3);
    const http = createProviderHttp(bounded);

    try {
      const texts = await Promise.all(
        Array.from({ length: 30 }, async (_, i) =>
          (await http(`${base}/b${i}`, { method: 'GET', headers: {} })).text(),
        ),
      );

      expect(texts).toEqual(Array.from({ length: 30 }, () => 'ok'));
      expect(connections.size).toBe(3);
    } finally {
      await bounded.close();
    }
  });

  it('gives a call queued behind the bound the same deadline: its signal aborts it while it waits', async () => {
    handler = (_req, _body, res) => setTimeout(() => res.end('ok'), 300);
    const bounded = createProviderAgent(1);
    const http = createProviderHttp(bounded);

    try {
      const first = http(`${base}/slow`, { method: 'GET', headers: {} });
      const queued = http(`${base}/queued`, { method: 'GET', headers: {}, signal: AbortSignal.timeout(50) });

      const error: unknown = await queued.catch((e: unknown) => e);
      expect(fetchFailure('Test', error)).toMatchObject({ code: 'TIMEOUT', ambiguous: true });
      await expect((await first).text()).resolves.toBe('ok');
    } finally {
      await bounded.close();
    }
  });

  it('answers a refusal as it is, with its body', async () => {
    handler = (_req, _body, res) => res.writeHead(400).end('{"code":21211}');
    const response = await createProviderHttp(agent)(`${base}/send`, { method: 'POST', headers: {}, body: 'x' });

    expect(response.ok).toBe(false);
    expect(response.status).toBe(400);
    await expect(response.text()).resolves.toBe('{"code":21211}');
  });

  it('never follows a redirect: the 3xx is the answer', async () => {
    const paths: string[] = [];
    handler = (req, _body, res) => {
      paths.push(req.url ?? '');
      res.writeHead(302, { location: `${base}/elsewhere` }).end();
    };
    const response = await createProviderHttp(agent)(`${base}/send`, { method: 'POST', headers: {}, body: 'x' });

    expect(response.ok).toBe(false);
    expect(response.status).toBe(302);
    await response.text();
    expect(paths).toEqual(['/send']);
  });

  it('fails with the socket code when nothing listens, which fetchFailure calls unsent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await createProviderHttp(agent)(`http://127.0.0.1:${port}/send`, {
      method: 'POST',
      headers: {},
      body: 'x',
    }).catch((caught: unknown) => caught);

    const mapped = fetchFailure('Test', error);
    expect(mapped.code).toBe('CONNECTION_REFUSED');
    expect(mapped.ambiguous).toBe(false);
  });

  it('aborts on the signal when no answer comes, which fetchFailure calls ambiguous', async () => {
    handler = () => undefined; // never answers
    const error = await createProviderHttp(agent)(`${base}/send`, {
      method: 'POST',
      headers: {},
      body: 'x',
      signal: AbortSignal.timeout(50),
    }).catch((caught: unknown) => caught);

    expect((error as Error).name).toBe('TimeoutError');
    const mapped = fetchFailure('Test', error);
    expect(mapped.code).toBe('TIMEOUT');
    expect(mapped.ambiguous).toBe(true);
  });

  it('aborts the body read on the same signal when the body stalls', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    };
    // Aborted once the headers are in, not on a timer: on a busy machine a 100 ms timeout could fire before
    // the headers, and the case would test the request instead of the body read.
    const controller = new AbortController();
    const response = await createProviderHttp(agent)(`${base}/send`, {
      method: 'POST',
      headers: {},
      body: 'x',
      signal: controller.signal,
    });
    const reading = response.text().catch((caught: unknown) => caught);
    setTimeout(() => controller.abort(new DOMException('the send timed out', 'TimeoutError')), 100);

    const error = await reading;
    expect((error as Error).name).toBe('TimeoutError');
    expect(fetchFailure('Test', error).ambiguous).toBe(true);
  });
});
