/**
 * Child process of the DLR bench: dlr-processor and intake's status consumer on the database and
 * topics the bench's ingest process created (DLR_BENCH_DB = {"url","name"}), as separate processes
 * run them in the distributed mode, at CPU_NICE and CPU_POLICY. Prints `ready` once subscribed; stops on SIGTERM.
 */
import 'reflect-metadata';
import { applyCpuPriority, loadConfig } from '@sms/platform';
import { ReceiptsPipeline } from '@sms/testing-receipts';

async function main(): Promise<void> {
  // Read and checked as a service reads it; applied, as startService does, before the pools and clients start threads.
  applyCpuPriority(loadConfig().cpu);
  const database = JSON.parse(process.env['DLR_BENCH_DB'] ?? '{}') as { url: string; name: string };
  const pipeline = new ReceiptsPipeline({ role: 'consumers', database });
  await pipeline.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void pipeline.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`dlr consumers failed: ${String(error)}\n`);
  process.exit(1);
});
