import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, initTracing, type TracingHandle } from '@sms/tracing';
import type { ConsumedRecord } from './bus.port';
import { InProcessBus } from './in-process.bus';

/** The bus carries trace context itself, so every service gets it without code of its own. */
describe('bus trace propagation (in-process adapter, same processor as Kafka)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle | null;
  let bus: InProcessBus;

  beforeEach(() => {
    exporter.reset();
    tracing = initTracing({ serviceName: 'bus-test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    bus = new InProcessBus({ partitions: 2 });
  });

  afterEach(async () => {
    await bus.close();
    await tracing?.shutdown();
  });

  it('injects traceparent on publish and runs each handler in a CONSUMER span child of the publisher; forwarded headers carry the hop', async () => {
    const second = new Promise<ConsumedRecord>((resolve) => {
      void bus.subscribe({ groupId: 'b', topics: ['t.two'], handler: async (record) => resolve(record) });
    });
    await bus.subscribe({
      groupId: 'a',
      topics: ['t.one'],
      // Forwards the headers it received, as the router does.
      handler: (record) => bus.publish([{ topic: 't.two', key: record.key, value: 1, headers: record.headers }]),
    });
    await inSpan('request', {}, () => bus.publish([{ topic: 't.one', key: 'k', value: 0 }]));
    const forwarded = await second;
    await new Promise((resolve) => setImmediate(resolve));

    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request');
    const one = spans.find((s) => s.name === 't.one process');
    const two = spans.find((s) => s.name === 't.two process');
    expect(one?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(two?.parentSpanContext?.spanId).toBe(one?.spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(one?.attributes).toMatchObject({ 'messaging.destination.name': 't.one', 'sms.delivery_attempt': 1 });
    expect(forwarded.headers['traceparent']).toContain(two?.spanContext().spanId);
  });

  it('reports the consumer lag per group, topic and partition', async () => {
    await bus.publish([{ topic: 't.lag', key: 'k', value: 0 }]);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await bus.subscribe({ groupId: 'slow', topics: ['t.lag'], handler: () => held });
    await bus.publish([{ topic: 't.lag', key: 'k', value: 1 }]);
    const lag = await bus.consumerLag();
    expect(lag.reduce((sum, entry) => sum + entry.lag, 0)).toBe(2);
    expect(lag.every((entry) => entry.groupId === 'slow' && entry.topic === 't.lag')).toBe(true);
    release();
  });
});
