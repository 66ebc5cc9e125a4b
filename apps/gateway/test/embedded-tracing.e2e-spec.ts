import { SIMULATED_PROVIDERS } from '@sms/simulator';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TOPICS } from '@sms/contracts';
import { GatewayClient, followTrace, type SpanRecord } from '@sms/testing';
import { initTracing, type TracingHandle } from '@sms/tracing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

const toRecord = (span: ReadableSpan): SpanRecord => ({
  name: span.name,
  service: String(span.resource.attributes['service.name']),
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  attributes: span.attributes,
});

/**
 * The in-process bus carries the same trace context as Kafka: one trace from the HTTP request through
 * every hop to the provider call, and the receipt's processing linked back to it.
 */
describe('embedded gateway: tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle | null;
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    tracing = initTracing({ serviceName: 'gateway', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
    await client.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ dlrDelayMs: 20 }), {
      'content-type': 'application/json',
    });
  });

  afterAll(async () => {
    await gateway.close();
    await tracing?.shutdown();
  });

  it('follows a REST message through every bus hop to the provider call, and links its receipt back', async () => {
    const accepted = await client.post('/v1/messages', { to: '+447400123456', body: 'trace me' });
    expect(accepted.status).toBe(202);
    const id = accepted.body['id'];
    await client.waitForMessage(id, (m) => m.status === 'delivered');

    const spans = exporter.getFinishedSpans().map(toRecord);
    const request = spans.find((span) => span.name === 'POST /v1/messages');
    expect(request).toBeDefined();
    // PRODUCER and CONSUMER spans by the messaging conventions, then the provider call over HTTP, whose
    // traceparent puts the (simulated) provider's own request span in the same trace.
    const names = [
      `send ${TOPICS.accepted}`,
      `process ${TOPICS.accepted}`,
      `send ${TOPICS.dispatch}`,
      `process ${TOPICS.dispatch}`,
      'provider twilio send',
      'POST',
      /^POST \S*\/twilio\/\S*Messages\.json$/,
    ];
    const path = followTrace(
      spans,
      request as SpanRecord,
      names.map((name) => (span: SpanRecord) => (typeof name === 'string' ? span.name === name : name.test(span.name))),
      (index) => `'${String(names[index])}'`,
    );
    expect(path[1]?.attributes).toMatchObject({ 'messaging.system': 'in-process', 'messaging.operation.type': 'send' });
    expect(path[6]?.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 201 });
    const dispatch = path[4] as SpanRecord;
    // The send result reaches intake in the same trace, as a child of the send-worker's hop.
    followTrace(spans, dispatch, [(span) => span.name === `process ${TOPICS.status}`]);

    // The receipt comes in on its own request (the provider's webhook) and links to the message's trace.
    const correlate = spans.find((span) => span.name === 'dlr correlate' && span.attributes['sms.message_id'] === id);
    expect(correlate).toBeDefined();
    expect(correlate?.traceId).not.toBe(request?.traceId);
    expect(correlate?.links.map((link) => link.traceId)).toContain(request?.traceId);
  });

  it('keeps retries in the trace of the message: each attempt is routed again under the original request', async () => {
    // Every provider fails transiently: each attempt comes back as a retry, is routed again, until it fails.
    const knobs = async (value: object) => {
      for (const provider of SIMULATED_PROVIDERS) {
        await client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(value), {
          'content-type': 'application/json',
        });
      }
    };
    await knobs({ errorRate: { transient: 1 } });
    try {
      const accepted = await client.post('/v1/messages', { to: '+447400123456', body: 'always failing' });
      expect(accepted.status).toBe(202);
      await client.waitForMessage(accepted.body['id'], (m) => m.status === 'failed', 20_000);
    } finally {
      await knobs({ errorRate: { transient: 0 } });
    }

    const spans = exporter.getFinishedSpans().map(toRecord);
    const request = spans.filter((span) => span.name === 'POST /v1/messages').at(-1) as SpanRecord;
    const routed = spans.filter(
      (span) => span.traceId === request.traceId && span.name === `process ${TOPICS.accepted}`,
    );
    expect(routed.length).toBeGreaterThanOrEqual(2);
    // The republished attempts hang under the request (the stored traceparent), not under an unrelated
    // trace: each is consumed under a PRODUCER span that is the request's child.
    const parentOf = (span: SpanRecord) => spans.find((candidate) => candidate.spanId === span.parentSpanId);
    expect(
      routed.every((span) => {
        const producer = parentOf(span);

        return producer?.name === `send ${TOPICS.accepted}` && producer.parentSpanId === request.spanId;
      }),
    ).toBe(true);
  });
});
