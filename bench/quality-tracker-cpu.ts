/**
 * CPU of the router's route-quality tracker per status event (QualityTracker.observe, the health consumer's
 * hot path): a send result and a delivered receipt per message, over many messages, timed with
 * process.cpuUsage. docs/performance.md has the figures.
 *
 *   node -r ./scripts/register.js bench/quality-tracker-cpu.ts [--tracker=<module path>] [--messages=200000] [--runs=5]
 *
 * `--tracker` loads another build of the tracker (a copy of the previous version, say) so two versions are
 * measured in alternating runs of one process pair under the same load.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';

interface Tracker {
  observe(event: StatusChangedV1): void;
  flush(): Promise<unknown>;
}
type TrackerClass = new (sinks: unknown[], options: Record<string, number>) => Tracker;

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

const base = {
  accountId: undefined,
  attempt: 1,
  providerMessageId: null,
  errorCode: null,
  errorMessage: null,
  errorClass: null,
  ambiguous: null,
  cost: null,
  currency: null,
  detail: null,
};

/** Sends and their receipts, as the consumer decodes them: receipts carry the send's route (sentAt, country). */
function events(messages: number): StatusChangedV1[] {
  const out: StatusChangedV1[] = [];
  const start = Date.now() - 60_000;
  for (let i = 0; i < messages; i++) {
    const messageId = randomUUID();
    const provider = i % 2 === 0 ? 'twilio' : 'vonage';
    const sentAt = new Date(start + i).toISOString();
    out.push({
      ...base,
      eventId: randomUUID(),
      messageId,
      kind: StatusEventKind.Sent,
      source: StatusEventSource.SendWorker,
      provider,
      country: 'GB',
      occurredAt: sentAt,
    });
    out.push({
      ...base,
      eventId: randomUUID(),
      messageId,
      kind: StatusEventKind.Delivered,
      source: StatusEventSource.Dlr,
      attempt: null,
      provider,
      country: 'GB',
      sentAt,
      occurredAt: new Date(start + i + 2_500).toISOString(),
    });
  }

  return out;
}

async function main(): Promise<void> {
  const trackerPath = path.resolve(arg('tracker', 'libs/router/feature/src/routing/quality/quality-tracker.ts'));
  const { QualityTracker } = (await import(trackerPath)) as { QualityTracker: TrackerClass };
  const messages = Number(arg('messages', '200000'));
  const runs = Number(arg('runs', '5'));
  const sink = { add: () => Promise.resolve() };
  const perEvent: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    const batch = events(messages);
    const tracker = new QualityTracker([sink], { bucketMs: 60_000 });
    const before = process.cpuUsage();
    for (const event of batch) {
      tracker.observe(event);
    }
    const used = process.cpuUsage(before);
    await tracker.flush();
    // The first run warms the JIT up and is not counted.
    if (run > 0) {
      perEvent.push(((used.user + used.system) * 1000) / batch.length);
    }
  }
  perEvent.sort((a, b) => a - b);
  const median = perEvent[Math.floor(perEvent.length / 2)]!;
  process.stdout.write(
    `${path.basename(trackerPath)}: ${median.toFixed(0)} ns CPU per status event (median of ${runs} runs of ${2 * messages} events; all ${perEvent.map((n) => n.toFixed(0)).join(', ')})\n`,
  );
}

void main();
