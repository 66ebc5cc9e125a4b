/**
 * Child process of the DLR bench: the other services' readers of `sms.status.v1`, which every receipt a
 * storm publishes reaches too. The router's health recorder (a Redis script per outcome, into the state
 * every router replica reads) and opt-out's consumer (reads each status for provider-reported opt-outs),
 * with their own groups, on the database and topics the bench's ingest process created (DLR_BENCH_DB =
 * {"url","name"}). They are other services than the processing tier and run at their own priority
 * (CPU_NICE, default 0), as docker-compose runs router and opt-out. Prints `ready` once subscribed; stops on
 * SIGTERM.
 */
import 'reflect-metadata';
import { createBus, LAG_TOLERANT_FETCH } from '@sms/bus';
import { TOPICS } from '@sms/contracts';
import {
  cannotReportOptOut,
  optOutPolicyOf,
  OPT_OUT_ENTITIES,
  OPT_OUT_MIGRATIONS,
  OptOutConsumer,
  OptOutLedger,
  OptOutSettingsStore,
  RecentSenders,
} from '@sms/opt-out';
import { MaskDirectory } from '@sms/mask-directory';
import { createServiceDataSource } from '@sms/persistence';
import { applyCpuPriority, loadConfig } from '@sms/platform';
import { HealthRecorder, RedisRoutingState } from '@sms/router';
import { renamingBus } from '@sms/testing-receipts';
import { migrate } from '../../scripts/migrate';

async function main(): Promise<void> {
  // Read and checked as a service reads it; applied, as startService does, before the clients start threads.
  const config = loadConfig();
  applyCpuPriority(config.cpu);
  const database = JSON.parse(process.env['DLR_BENCH_DB'] ?? '{}') as { url: string; name: string };
  const suffix = database.name;
  await migrate(database.url, ['opt-out']);
  const optOutDs = await createServiceDataSource({
    service: 'opt-out',
    database: { kind: 'mysql', url: database.url, poolSize: 10 },
    entities: OPT_OUT_ENTITIES,
    migrations: OPT_OUT_MIGRATIONS,
  }).initialize();
  const kafka = createBus({
    kind: 'kafka',
    brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    clientId: `receipts-observers-${suffix}`,
  });
  const bus = renamingBus(kafka, suffix);
  const state = new RedisRoutingState({
    url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    keyPrefix: `sms:router:bench-${suffix}:`,
  });
  const policy = optOutPolicyOf(config.optOut, config.keywords);
  const optOut = new OptOutConsumer(
    new OptOutLedger(optOutDs, bus),
    bus,
    policy,
    new OptOutSettingsStore(optOutDs, policy.defaults),
    new RecentSenders(optOutDs),
    new MaskDirectory(),
  );
  // The concurrencies and fetch pacing router.module.ts and opt-out.module.ts subscribe with.
  await bus.subscribe({
    groupId: `router-health-${suffix}`,
    topics: [TOPICS.status],
    handler: new HealthRecorder(state).handle,
    concurrency: 16,
    fetch: LAG_TOLERANT_FETCH,
  });
  await bus.subscribe({
    groupId: `opt-out-${suffix}`,
    topics: [TOPICS.optoutReported],
    ignores: cannotReportOptOut,
    handler: optOut.handle,
    concurrency: 8,
    fetch: LAG_TOLERANT_FETCH,
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void Promise.allSettled([bus.close(), state.close(), optOutDs.destroy()]).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`dlr status observers failed: ${String(error)}\n`);
  process.exit(1);
});
