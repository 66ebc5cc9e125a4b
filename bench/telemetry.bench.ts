/**
 * What tracing costs on the bus: records through two in-process hops (publish → handler → publish →
 * handler), with tracing off (the embedded default: no provider) and on (SDK installed, spans batched to
 * an exporter that drops them, so only our instrumentation and the SDK are measured). Rounds alternate
 * off/on in the same process; medians and the on/off ratio are reported.
 *
 *   node -r ./scripts/register.js bench/telemetry.bench.ts   (BENCH_RECORDS, BENCH_ROUNDS)
 */
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InProcessBus, silentBusLogger } from '@sms/bus';
import { initTracing, inSpan } from '@sms/tracing';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

/** Accepts and forgets: the cost of exporting over the network is the collector's, not the service's. */
class DroppingExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.spans += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function twoHops(records: number): Promise<number> {
  const bus = new InProcessBus({ partitions: 4, logger: silentBusLogger });
  let seen = 0;
  const finished = new Promise<void>((resolve) => {
    void bus.subscribe({
      groupId: 'second',
      topics: ['bench.two'],
      concurrency: 16,
      handler: async () => {
        if (++seen === records) {
          resolve();
        }
      },
    });
  });
  await bus.subscribe({
    groupId: 'first',
    topics: ['bench.one'],
    concurrency: 16,
    handler: (record) =>
      bus.publish([{ topic: 'bench.two', key: record.key, value: record.value, headers: record.headers }]),
  });
  const started = performance.now();
  await inSpan('request', {}, async () => {
    for (let i = 0; i < records; i += 100) {
      await bus.publish(
        Array.from({ length: 100 }, (_, j) => ({ topic: 'bench.one', key: `k${(i + j) % 64}`, value: { i: i + j } })),
      );
    }
  });
  await finished;
  const elapsed = performance.now() - started;
  await bus.close();

  return records / (elapsed / 1000);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export interface TelemetryBenchResult {
  readonly records: number;
  readonly rounds: number;
  readonly tracingOffRecordsPerSecond: number;
  readonly tracingOnRecordsPerSecond: number;
  readonly onOffRatio: number;
  readonly spansExported: number;
}

/** Two in-process bus hops per record, tracing off then on (spans dropped by the exporter), alternated per round. */
export async function runTelemetryBench(): Promise<TelemetryBenchResult> {
  await twoHops(2_000); // warm-up (JIT, module loading)
  const off: number[] = [];
  const on: number[] = [];
  const exporter = new DroppingExporter();
  for (let round = 0; round < ROUNDS; round++) {
    off.push(await twoHops(RECORDS));
    const tracing = initTracing({ serviceName: 'bench', env: {}, spanProcessors: [new BatchSpanProcessor(exporter)] });
    on.push(await twoHops(RECORDS));
    await tracing?.shutdown();
  }

  return {
    records: RECORDS,
    rounds: ROUNDS,
    tracingOffRecordsPerSecond: Math.round(median(off)),
    tracingOnRecordsPerSecond: Math.round(median(on)),
    onOffRatio: Number((median(on) / median(off)).toFixed(3)),
    spansExported: exporter.spans,
  };
}

if (require.main === module) {
  void runTelemetryBench().then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`));
}
