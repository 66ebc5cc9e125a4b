/**
 * dlr-processor's ref store alone, on SQLite, in this process: per round, one `sent` event's provider id
 * learned (INSERT, then the SELECT of receipts parked under it) and looked up again with nothing cached
 * (SELECT). Prints the CPU milliseconds of this process per round, for RUNS runs of N rounds, and their
 * median. No bus, no HTTP: what the store's statements and the code around them cost.
 *
 *   node -r ./scripts/register.js bench/dlr-ref-store.bench.ts
 *
 * Env (defaults): N 4000, RUNS 5.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import {
  DLR_PROCESSOR_ENTITIES,
  DLR_PROCESSOR_MIGRATIONS,
} from '../libs/dlr-processor/feature/src/dlr-processor.module';
import { RefStore } from '../libs/dlr-processor/feature/src/receipts/ref-store';

const N = Number(process.env['N'] ?? 4000);
const RUNS = Number(process.env['RUNS'] ?? 5);
const WARM_UP = 1000;

/** CPU ms per round of `rounds` learn + uncached find. */
async function measure(dataSource: DataSource, rounds: number): Promise<number> {
  // A cache of 0 refs: every find queries, as a receipt for a ref this process did not learn does.
  const store = new RefStore(dataSource, () => new Date(), 0);
  const start = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const providerMessageId = randomUUID();
    await store.learn([
      { provider: 'twilio', providerMessageId, messageId: randomUUID(), partIndex: 0, partCount: 1, traceParent: null },
    ]);
    await store.find('twilio', providerMessageId);
  }
  const used = process.cpuUsage(start);

  return (used.user + used.system) / 1000 / rounds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dlr-ref-store-bench-'));
  const dataSource = await createServiceDataSource({
    service: 'dlr-processor',
    database: { kind: 'sqlite', directory: dir },
    entities: DLR_PROCESSOR_ENTITIES,
    migrations: DLR_PROCESSOR_MIGRATIONS,
  }).initialize();
  try {
    await measure(dataSource, WARM_UP);
    const runs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(await measure(dataSource, N));
    }
    const sorted = [...runs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    process.stdout.write(
      `ref store, SQLite: CPU ms per learn + uncached find: ${runs.map((v) => v.toFixed(4)).join(' ')}; median ${median.toFixed(4)}\n`,
    );
  } finally {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
