import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { postWebhook, type CallbackSettings } from './simulator.callbacks';
import { SimScheduler } from './simulator.scheduler';
import { WEBHOOK_CONNECTIONS } from './webhook-client';

const silent = { debug: () => undefined, warn: () => undefined } as unknown as FastifyBaseLogger;

interface Receiver {
  readonly url: string;
  readonly bodies: string[];
  readonly sockets: Set<unknown>;
  close(): Promise<void>;
}

/** A plain HTTP receiver that answers each request with what `answer` says, counting connections. */
async function receiver(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<Receiver> {
  const bodies: string[] = [];
  const sockets = new Set<unknown>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      bodies.push(body);
      answer(request, response);
    });
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/webhooks/twilio/status`,
    bodies,
    sockets,
    close: () => {
      server.closeAllConnections();

      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function settingsOf(scheduler: SimScheduler, overrides: Partial<CallbackSettings> = {}): CallbackSettings {
  return { scheduler, log: silent, timeoutMs: 1_000, retryDelayMs: 10, allowTarget: () => true, ...overrides };
}

const post = (url: string, body = 'a=1') => ({
  url,
  body,
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  label: 'sent',
});

describe('postWebhook over the simulator client', () => {
  let scheduler: SimScheduler;
  let target: Receiver | undefined;

  beforeEach(() => {
    scheduler = new SimScheduler();
  });

  afterEach(async () => {
    scheduler.close();
    await target?.close();
    target = undefined;
  });

  it('posts the exact body and headers, and reuses one kept-alive connection for consecutive webhooks', async () => {
    const headers: Record<string, string | string[] | undefined>[] = [];
    target = await receiver((request, response) => {
      headers.push(request.headers);
      response.writeHead(204).end();
    });
    for (let i = 0; i < 10; i += 1) {
      const attempts = await postWebhook(post(target.url, `n=${i}`), settingsOf(scheduler));
      expect(attempts).toEqual([expect.objectContaining({ attempt: 1, httpStatus: 204 })]);
    }

    expect(target.bodies).toEqual(Array.from({ length: 10 }, (_, i) => `n=${i}`));
    expect(headers[0]).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded' });
    // A socket is handed back to the pool a tick after its answer, so the next post may open a second one.
    expect(target.sockets.size).toBeLessThanOrEqual(2);
  });

  it('sends a GET webhook without a body', async () => {
    const methods: string[] = [];
    target = await receiver((request, response) => {
      methods.push(request.method ?? '');
      response.writeHead(200).end('ignored body');
    });
    const attempts = await postWebhook({ ...post(`${target.url}?a=1`), method: 'GET' }, settingsOf(scheduler));

    expect(attempts).toEqual([expect.objectContaining({ httpStatus: 200 })]);
    expect(methods).toEqual(['GET']);
    expect(target.bodies).toEqual(['']);
  });

  it('retries a 5xx with backoff and stops at the first final answer', async () => {
    let calls = 0;
    target = await receiver((_request, response) => {
      calls += 1;
      response.writeHead(calls < 3 ? 503 : 200).end();
    });
    const attempts = await postWebhook(post(target.url), settingsOf(scheduler));

    expect(attempts.map((a) => a.httpStatus)).toEqual([503, 503, 200]);
  });

  it('records a receiver that never answers as a timeout, once per attempt', async () => {
    target = await receiver(() => undefined); // holds every request open
    const started = Date.now();
    const attempts = await postWebhook(post(target.url), settingsOf(scheduler, { timeoutMs: 100, retries: 1 }));

    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.httpStatus === undefined && /timed out/.test(a.error ?? ''))).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('takes the status once the body has ended, or once it broke off (the answer was given)', async () => {
    target = await receiver((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
      setTimeout(() => (request.headers['x-finish'] === '1' ? response.end(' and the rest') : response.destroy()), 50);
    });
    const broken = await postWebhook(post(target.url), settingsOf(scheduler, { retries: 0 }));
    const whole = await postWebhook(
      { ...post(target.url), headers: { 'X-Finish': '1' } },
      settingsOf(scheduler, { retries: 0 }),
    );

    expect(broken).toEqual([expect.objectContaining({ httpStatus: 200 })]);
    expect(whole).toEqual([expect.objectContaining({ httpStatus: 200 })]);
  });

  it('aborts posts still queued behind the connection cap when the jobs are cancelled', async () => {
    target = await receiver(() => undefined);
    const url = target.url;
    const pending = Array.from({ length: WEBHOOK_CONNECTIONS + 8 }, () =>
      postWebhook(post(url), settingsOf(scheduler, { timeoutMs: 10_000 })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    scheduler.cancelJobs();
    const attempts = (await Promise.all(pending)).flat();

    expect(attempts).toHaveLength(WEBHOOK_CONNECTIONS + 8);
    expect(attempts.every((attempt) => attempt.error !== undefined)).toBe(true);
  });

  it('records a refused connection as an error and retries it', async () => {
    target = await receiver((_request, response) => response.writeHead(200).end());
    const url = target.url;
    await target.close();
    target = undefined;
    const attempts = await postWebhook(post(url), settingsOf(scheduler, { retries: 2 }));

    expect(attempts).toHaveLength(3);
    expect(attempts.every((a) => a.error !== undefined)).toBe(true);
  });

  it('aborts a webhook in flight when the jobs are cancelled, without retrying it', async () => {
    target = await receiver(() => undefined);
    const pending = postWebhook(post(target.url), settingsOf(scheduler, { timeoutMs: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    scheduler.cancelJobs();
    const attempts = await pending;

    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.error).toBeDefined();
  });

  it('sends nothing once the simulator is closed', async () => {
    target = await receiver((_request, response) => response.writeHead(200).end());
    scheduler.close();
    const attempts = await postWebhook(post(target.url), settingsOf(scheduler));

    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((a) => a.error === 'simulator closed')).toBe(true);
    expect(target.bodies).toEqual([]);
  });
});
