/**
 * PRODUCER and CONSUMER spans over a real broker: the traceparent travels in Kafka record headers.
 * Topic names are unique per run and deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel } from 'kafkajs';
import { inSpan, initTracing, type TracingHandle } from '@sms/tracing';
import { uniqueGroup, waitFor } from './bus.behaviour';
import { silentBusLogger } from './bus.logger';
import type { ConsumedRecord } from './bus.port';
import { dlqTopicOf } from './bus.port';
import { KafkaBus } from './kafka.bus';

jest.setTimeout(60_000);

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topic = `bus-trace-it.${randomUUID().slice(0, 8)}.v1`;

describe('KafkaBus tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle | null;
  let bus: KafkaBus;

  beforeAll(async () => {
    tracing = initTracing({ serviceName: 'bus-it', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    bus = new KafkaBus({ brokers, clientId: 'bus-trace-it', logger: silentBusLogger });
    await bus.ensureTopics([{ topic, numPartitions: 1 }]);
  });

  afterAll(async () => {
    await bus.close();
    await tracing?.shutdown();
    const admin = new Kafka({ clientId: 'bus-trace-it-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopicOf(topic)] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('publishes in a PRODUCER span whose traceparent rides the record to a CONSUMER span', async () => {
    const handled: ConsumedRecord[] = [];
    await bus.subscribe({
      groupId: uniqueGroup('trace'),
      topics: [topic],
      handler: async (record) => void handled.push(record),
    });
    await inSpan('request', {}, () => bus.publish([{ topic, key: 'k', value: { n: 1 } }]));
    await waitFor('the record', () => handled.length === 1, 30_000);
    await waitFor(
      'the consumer span',
      () => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.CONSUMER),
      5_000,
    );

    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request');
    const send = spans.find((s) => s.name === `send ${topic}`);
    const process = spans.find((s) => s.name === `process ${topic}`);
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(send?.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': topic });
    expect(process?.kind).toBe(SpanKind.CONSUMER);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(process?.spanContext().traceId).toBe(request?.spanContext().traceId);
    expect(process?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': Number(handled[0]?.offset),
    });
  });
});
