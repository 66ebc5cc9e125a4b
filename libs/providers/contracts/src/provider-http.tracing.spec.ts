import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Agent } from 'undici';
import { inSpan, initTracing } from '@sms/tracing';
import { createProviderHttp } from './provider-http';

/** A provider's API answering 202 (or 503 on /down), keeping the headers of every request it got. */
describe('createProviderHttp trace propagation', () => {
  const seen: IncomingHttpHeaders[] = [];
  let server: Server;
  let base: string;
  let agent: Agent;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => response.writeHead(request.url?.startsWith('/down') ? 503 : 202).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent({ keepAliveTimeout: 1_000 });
  });

  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const post = (path: string) =>
    createProviderHttp(agent)(`${base}${path}?To=%2B447400123456`, {
      method: 'POST',
      headers: { authorization: 'Basic abc' },
      body: 'x',
    });

  it('sends no traceparent with tracing off', async () => {
    await inSpan('send', {}, () => post('/send'));
    expect(seen[0]?.authorization).toBe('Basic abc');
    expect(seen[0]).not.toHaveProperty('traceparent');
  });

  it('makes the call a CLIENT span by the HTTP conventions and sends its traceparent', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = initTracing({
      serviceName: 'send-worker',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    try {
      await inSpan('provider twilio send', {}, async () => {
        await post('/send');
        await post('/down');
      });
      const [ok, down, parent] = exporter.getFinishedSpans();
      expect(ok?.kind).toBe(SpanKind.CLIENT);
      expect(ok?.name).toBe('POST');
      expect(ok?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
      expect(seen[0]?.traceparent).toBe(`00-${parent?.spanContext().traceId}-${ok?.spanContext().spanId}-01`);
      expect(seen[0]?.authorization).toBe('Basic abc');
      expect(ok?.attributes).toEqual({
        'http.request.method': 'POST',
        // The query string is left out: it can hold a number or a credential.
        'url.full': `${base}/send`,
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(base).port),
        'http.response.status_code': 202,
      });
      expect(down?.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
      expect(down?.status.code).toBe(2);
    } finally {
      await tracing?.shutdown();
    }
  });
});
