/**
 * dlr-ingest's raw store alone, on SQLite, in this process: per round, BATCH fresh receipts and a retry of
 * RETRY_SHARE of the previous round's, all submitted at once (one gathered batch, as receipts read in one
 * loop turn are). Prints the CPU milliseconds of this process per receipt, for 5 runs of ROUNDS rounds, and
 * their median. No HTTP, no bus: what WebhookIngestService and its statements cost when providers retry.
 *
 *   node -r ./scripts/register.js bench/dlr-ingest-retries.bench.ts
 *
 * Env (defaults): ROUNDS 200, BATCH 10, RETRY_SHARE 0.5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceDataSource } from '@sms/persistence';
import { ProviderRegistry } from '@sms/providers';
import { DLR_INGEST_ENTITIES } from '../libs/dlr-ingest/feature/src/dlr-ingest.module';
import { signedUnlessForged, testReceipt } from '../libs/dlr-ingest/feature/src/webhooks/test-webhooks';
import { WebhookIngestService } from '../libs/dlr-ingest/feature/src/webhooks/webhook-ingest.service';

const ROUNDS = Number(process.env['ROUNDS'] ?? 200);
const BATCH = Number(process.env['BATCH'] ?? 10);
const RETRY_SHARE = Number(process.env['RETRY_SHARE'] ?? 0.5);
const RUNS = 5;

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'dlr-ingest-retries-'));
  const dataSource = await createServiceDataSource({
    service: 'dlr-ingest',
    database: { kind: 'sqlite', directory },
    entities: DLR_INGEST_ENTITIES,
    migrations: [],
  }).initialize();
  const registry = new ProviderRegistry();
  registry.register('test', signedUnlessForged);
  const ingest = new WebhookIngestService(dataSource, registry, { enqueue: () => undefined });
  let next = 0;
  // A Twilio-sized receipt with the token a provider repeats on its retries.
  const receipt = (n: number) => {
    const webhook = testReceipt(`{"n":${n},"status":"delivered","pad":"${'x'.repeat(300)}"}`);

    return { ...webhook, headers: { ...webhook.headers, 'i-twilio-idempotency-token': `token-${n}` } };
  };
  const run = async (): Promise<number> => {
    let previous: number[] = [];
    let receipts = 0;
    const start = process.cpuUsage();
    for (let round = 0; round < ROUNDS; round++) {
      const fresh = Array.from({ length: BATCH }, () => next++);
      const retries = previous.slice(0, Math.round(previous.length * RETRY_SHARE));
      await Promise.all([...fresh, ...retries].map((n) => ingest.ingest('test', 'status', receipt(n))));
      receipts += fresh.length + retries.length;
      previous = fresh;
    }
    const used = process.cpuUsage(start);

    return (used.user + used.system) / 1000 / receipts;
  };
  try {
    await run(); // warm-up
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await run());
    }
    runs.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        batch: BATCH,
        retryShare: RETRY_SHARE,
        cpuMsPerReceipt: Number((runs[Math.floor(RUNS / 2)] ?? 0).toFixed(4)),
        runs: runs.map((ms) => Number(ms.toFixed(4))),
      }),
    );
  } finally {
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
}

void main();
