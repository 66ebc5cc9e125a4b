/**
 * CPU per record of the in-process bus (embedded mode): a status-like event published in batches of 50 to
 * a topic read by 4 groups (as sms.status.v1 is), each handler reading a few fields, concurrency 16.
 * Reports CPU µs per published record (all 4 deliveries included), median of BENCH_ROUNDS rounds.
 *
 *   node -r ./scripts/register.js bench/in-process-bus.bench.ts   (BENCH_RECORDS, BENCH_ROUNDS)
 */
import { randomUUID } from 'node:crypto';
import { InProcessBus, silentBusLogger } from '@sms/bus';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 50_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const GROUPS = 4;

const event = (n: number): Record<string, unknown> => ({
  eventId: randomUUID(),
  messageId: randomUUID(),
  status: 'sent',
  attempt: 1,
  provider: 'twilio',
  providerMessageId: `SM${n.toString(16).padStart(32, '0')}`,
  segments: 1,
  occurredAt: '2026-12-06T21:00:00.000Z',
  latencyMs: 123,
  price: { amount: '0.0075', currency: 'USD' },
  error: null,
});

async function round(): Promise<{ readonly cpuUsPerRecord: number }> {
  const bus = new InProcessBus({ partitions: 4, logger: silentBusLogger });
  const events = Array.from({ length: RECORDS }, (_, n) => event(n));
  let seen = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  for (let g = 0; g < GROUPS; g++) {
    await bus.subscribe({
      groupId: `group-${g}`,
      topics: ['bench.status.v1'],
      concurrency: 16,
      handler: async (record) => {
        const value = record.value as { status: string; messageId: string };
        if (value.status.length + value.messageId.length > 0 && ++seen === RECORDS * GROUPS) {
          finish();
        }
      },
    });
  }
  const before = process.cpuUsage();
  for (let i = 0; i < RECORDS; i += 50) {
    await bus.publish(
      events.slice(i, i + 50).map((value, j) => ({
        topic: 'bench.status.v1',
        key: (value as { messageId: string }).messageId,
        value,
        headers: { 'sms-status-source': j % 2 ? 'send-worker' : 'dlr-processor' },
      })),
    );
  }
  await finished;
  const used = process.cpuUsage(before);
  await bus.close();

  return { cpuUsPerRecord: (used.user + used.system) / RECORDS };
}

async function main(): Promise<void> {
  await round();
  const results: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    results.push((await round()).cpuUsPerRecord);
  }
  results.sort((a, b) => a - b);
  console.log(
    `in-process bus: ${RECORDS} records × ${GROUPS} groups: ${results[Math.floor(results.length / 2)]?.toFixed(1)} µs CPU per record (runs ${results.map((r) => r.toFixed(1)).join(', ')})`,
  );
}

void main();
