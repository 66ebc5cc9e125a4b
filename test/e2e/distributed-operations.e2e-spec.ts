import { randomBytes, randomUUID } from 'node:crypto';
import 'reflect-metadata';
import { createBus, type Bus } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, TOPICS } from '@sms/contracts';
import { followTrace, type GatewayClient, type SpanRecord } from '@sms/testing';
import { distributedStack, type DistributedStack, KAFKA_BROKERS } from '@sms/testing-distributed';
import { SERVICE_PORTS, type ServiceName } from '../../scripts/distributed';
import { OtlpReceiver } from './otlp-receiver';

const METRICS_TOKEN = 'metrics-token-for-the-distributed-suite';
/** Services on 5700-5706, the simulator on 5710, the collector on 5720 (this suite's port range). */
const PORT_OFFSET = 5700 - 3001;
const SIMULATOR_PORT = 5710 - PORT_OFFSET;
const COLLECTOR_PORT = 5720;

/**
 * Distributed tracing for real: the seven service processes on Kafka, MariaDB and Redis export their
 * spans with the OTLP/HTTP exporter configured only by OTEL_* variables, to an in-memory collector in
 * this test. Real processes rather than service modules composed in one test process: that is what
 * proves the context crosses process boundaries in Kafka headers and outbox rows, and that the standard
 * environment variables switch the exporter on.
 */
describe('distributed gateway: traces, metrics and readiness on every service', () => {
  const receiver = new OtlpReceiver();
  let stack: DistributedStack;
  let client: GatewayClient;
  let bus: Bus;

  beforeAll(async () => {
    const endpoint = await receiver.listen(COLLECTOR_PORT);
    stack = await distributedStack({
      keyName: 'tracing',
      portOffset: PORT_OFFSET,
      simulatorPort: SIMULATOR_PORT,
      extraEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', METRICS_TOKEN },
    });
    client = stack.client;
    bus = createBus({ kind: 'kafka', brokers: KAFKA_BROKERS.split(','), clientId: 'tracing-e2e' });
    await stack.knobs('twilio', { dlrDelayMs: 50 });
  }, 180_000);

  afterAll(async () => {
    await bus?.close();
    await stack?.stop();
    await receiver.close();
  }, 60_000);

  /** Spans arrive in batches from seven processes: wait until the predicate holds on what arrived. */
  const waitForSpans = async (done: (spans: readonly SpanRecord[]) => boolean): Promise<readonly SpanRecord[]> => {
    const deadline = Date.now() + 20_000;
    while (!done(receiver.spans) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    return receiver.spans;
  };

  const hop = (service: string, name: string) => (span: SpanRecord) => span.service === service && span.name === name;
  /** A span by the messaging conventions: PRODUCER `send <topic>` or CONSUMER `process <topic>`, on Kafka. */
  const messaging = (service: string, operation: 'send' | 'process', topic: string) => (span: SpanRecord) =>
    hop(service, `${operation} ${topic}`)(span) &&
    span.attributes['messaging.system'] === 'kafka' &&
    span.attributes['messaging.operation.type'] === operation &&
    span.attributes['messaging.destination.name'] === topic;
  const MESSAGE_PATH = [
    messaging('intake', 'send', TOPICS.accepted),
    messaging('router', 'process', TOPICS.accepted),
    messaging('router', 'send', TOPICS.dispatch),
    messaging('send-worker', 'process', TOPICS.dispatch),
    // Whichever provider the router picked for the destination: the span is named after it.
    (span: SpanRecord) => span.service === 'send-worker' && /^provider \S+ send$/.test(span.name),
  ];
  const describeHop = (index: number): string =>
    [
      'intake publishing sms.accepted.v1',
      'router consuming sms.accepted.v1',
      'router publishing sms.dispatch.v1',
      'send-worker consuming sms.dispatch.v1',
      'the provider call',
    ][index] ?? '';
  /** The HTTP request to the provider's API, a CLIENT span by the HTTP conventions whose traceparent it sent. */
  const PROVIDER_HTTP = (span: SpanRecord) =>
    span.service === 'send-worker' &&
    span.name === 'POST' &&
    span.attributes['http.request.method'] === 'POST' &&
    String(span.attributes['url.full']).startsWith(stack.topology.simulatorUrl) &&
    Number(span.attributes['http.response.status_code']) < 300;

  it('follows a REST request through intake, router and send-worker to the provider, then back to intake', async () => {
    const accepted = await client.post('/v1/messages', { to: '+447400123456', body: 'distributed trace' });
    expect(accepted.status).toBe(202);
    const id = accepted.body['id'];
    await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);

    const spans = await waitForSpans((all) =>
      all.some((span) => span.name === 'dlr correlate' && span.attributes['sms.message_id'] === id),
    );
    const request = spans.find((span) => span.service === 'intake' && span.name === 'POST /v1/messages');
    expect(request).toBeDefined();
    const path = followTrace(spans, request as SpanRecord, MESSAGE_PATH, describeHop);
    // One trace from the API call to the provider's HTTP API, the request that carried its traceparent.
    followTrace(spans, path[5] as SpanRecord, [PROVIDER_HTTP], () => 'the HTTP call to the provider');
    // The send result comes back to intake on sms.status.v1, in the same trace, below send-worker's hop.
    followTrace(spans, path[4] as SpanRecord, [hop('intake', `process ${TOPICS.status}`)]);

    // The receipt: dlr-ingest's webhook request starts its own trace; dlr-processor links it to the message's.
    const correlate = spans.find((span) => span.name === 'dlr correlate' && span.attributes['sms.message_id'] === id);
    expect(correlate?.service).toBe('dlr-processor');
    expect(correlate?.links.map((link) => link.traceId)).toContain(request?.traceId);
    const webhook = spans.find((span) => span.traceId === correlate?.traceId && span.service === 'dlr-ingest');
    expect(webhook?.name).toBe('POST /webhooks/:provider/:kind');
    followTrace(spans, webhook as SpanRecord, [
      hop('dlr-processor', `process ${TOPICS.dlrRaw}`),
      (span) => span === correlate,
    ]);
  }, 90_000);

  it('serves /readyz with its database, bus and Redis checks and /metrics with Kafka consumer lag on every service', async () => {
    const expectations: Record<ServiceName, { readonly db: string | null; readonly group: string | null }> = {
      intake: { db: 'intake-db', group: 'intake' },
      router: { db: 'router-db', group: 'router' },
      'send-worker': { db: 'send-worker-db', group: 'send-worker' },
      'dlr-ingest': { db: 'dlr-ingest-db', group: null },
      'dlr-processor': { db: 'dlr-processor-db', group: 'dlr-processor' },
      masking: { db: null, group: null },
      'opt-out': { db: null, group: null },
    };
    for (const [service, expected] of Object.entries(expectations) as [
      ServiceName,
      (typeof expectations)[ServiceName],
    ][]) {
      const base = `http://127.0.0.1:${SERVICE_PORTS[service] + PORT_OFFSET}`;
      const ready = await fetch(`${base}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, boolean> };
      expect({ service, status: ready.status }).toEqual({ service, status: 200 });
      expect(body.checks).toMatchObject({ bus: true, kv: true, ...(expected.db ? { [expected.db]: true } : {}) });

      // /metrics on the API port needs the metrics token (docs/exposure.md).
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain(
        `sms_http_requests_total{service="${service}",method="GET",route="/readyz",status_code="200"}`,
      );
      if (expected.group) {
        // Polled from the broker (committed offset vs high watermark), one series per partition.
        expect(text).toMatch(
          new RegExp(`sms_consumer_lag\\{group="${expected.group}",topic="sms\\.[a-z.]+v1",partition="\\d+"\\} \\d+`),
        );
      }
    }
  }, 60_000);

  it('continues the trace a producer put on its sms.send.v1 record', async () => {
    const id = randomUUID();
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    await bus.publish([
      {
        topic: TOPICS.send,
        key: id,
        value: { id, accountId: DEFAULT_ACCOUNT_ID, to: '+12025550123', body: 'traced from Kafka' },
        headers: { traceparent: `00-${traceId}-${parentId}-01` },
      },
    ]);
    await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);
    const spans = await waitForSpans((all) =>
      all.some((span) => span.traceId === traceId && /^provider \S+ send$/.test(span.name)),
    );
    const intake = spans.find(
      (span) => span.traceId === traceId && span.service === 'intake' && span.name === `process ${TOPICS.send}`,
    );
    expect(intake?.parentSpanId).toBe(parentId);
    followTrace(spans, intake as SpanRecord, MESSAGE_PATH, describeHop);
  }, 90_000);
});
