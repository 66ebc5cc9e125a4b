import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, initTracing } from '@sms/tracing';
import { CallbackClient } from './callback.client';

/** A customer's callback endpoint: keeps the headers of every callback it received. */
describe('CallbackClient trace propagation', () => {
  const seen: IncomingHttpHeaders[] = [];
  let server: Server;
  let url: string;
  let client: CallbackClient;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
    client = new CallbackClient({
      secret: 'top-secret',
      allowInsecure: true,
      allowedPorts: [],
      resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    });
  });

  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('sends no traceparent with tracing off', async () => {
    expect(await client.post(url, '{}')).toEqual({ kind: 'delivered', statusCode: 204 });
    expect(seen[0]?.['x-sms-gateway-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(seen[0]).not.toHaveProperty('traceparent');
  });

  it('posts in a CLIENT span of the receipt trace and sends its traceparent beside the signature', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = initTracing({
      serviceName: 'dlr-processor',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    try {
      const outcome = await inSpan('callback deliver', {}, () => client.post(url, '{"id":"m-1"}'));
      expect(outcome).toEqual({ kind: 'delivered', statusCode: 204 });
      const [call, parent] = exporter.getFinishedSpans();
      expect(call?.kind).toBe(SpanKind.CLIENT);
      expect(call?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
      expect(call?.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.full': url,
        'http.response.status_code': 204,
      });
      expect(seen[0]?.traceparent).toBe(`00-${parent?.spanContext().traceId}-${call?.spanContext().spanId}-01`);
      expect(seen[0]?.['x-sms-gateway-signature']).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await tracing?.shutdown();
    }
  });
});
