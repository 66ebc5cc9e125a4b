import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, initTracing, type TracingHandle } from '@sms/tracing';
import type { ConsumedRecord } from './bus.port';
import { InProcessBus } from './in-process.bus';

/** The bus carries trace context itself, so every service gets it without code of its own. */
describe('bus trace propagation (in-process adapter, same processor as Kafka)', () => {
  // A new exporter per test: shutting the provider down stops its exporter for good.
  let exporter: InMemorySpanExporter;
  let tracing: TracingHandle | null;
  let bus: InProcessBus;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    tracing = initTracing({ serviceName: 'bus-test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    bus = new InProcessBus({ partitions: 2 });
  });

  afterEach(async () => {
    await bus.close();
    await tracing?.shutdown();
  });

  it('publishes in a PRODUCER span and runs each handler in a CONSUMER span child of it; forwarded headers carry the hop', async () => {
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
    const named = (name: string) => spans.find((s) => s.name === name);
    const request = named('request');
    const [sendOne, one, sendTwo, two] = ['send t.one', 'process t.one', 'send t.two', 'process t.two'].map(named);
    expect(sendOne?.kind).toBe(SpanKind.PRODUCER);
    expect(one?.kind).toBe(SpanKind.CONSUMER);
    expect(sendOne?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(one?.parentSpanContext?.spanId).toBe(sendOne?.spanContext().spanId);
    expect(sendTwo?.parentSpanContext?.spanId).toBe(one?.spanContext().spanId);
    expect(two?.parentSpanContext?.spanId).toBe(sendTwo?.spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(sendOne?.attributes).toEqual({
      'messaging.system': 'in-process',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 't.one',
    });
    expect(one?.attributes).toMatchObject({
      'messaging.system': 'in-process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 't.one',
      'sms.delivery_attempt': 1,
    });
    expect(forwarded.headers['traceparent']).toContain(two?.spanContext().spanId);
  });

  it('continues a trace stored on the record (an outbox row) rather than the active one, and makes no span without any', async () => {
    const stored = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const handled: ConsumedRecord[] = [];
    await bus.subscribe({ groupId: 'c', topics: ['t.three'], handler: async (record) => void handled.push(record) });
    await inSpan('unrelated', {}, () =>
      bus.publish([{ topic: 't.three', key: 'k', value: 0, headers: { traceparent: stored } }]),
    );
    await bus.publish([{ topic: 't.three', key: 'k', value: 1, headers: { other: 'x' } }]);
    while (handled.length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const send = exporter.getFinishedSpans().filter((s) => s.name === 'send t.three');
    expect(send).toHaveLength(1);
    expect(send[0]?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(send[0]?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(handled[1]?.headers['other']).toBe('x');
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
