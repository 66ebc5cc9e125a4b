/**
 * A consumer process for growing-run.integration-spec.ts, to be killed mid-batch: it subscribes with
 * `keyConcurrency`, prints `{"done":seq}` for each record its handler finished, and never finishes the
 * record whose seq is GROWING_CHILD_HANG_SEQ.
 *
 *   GROWING_CHILD_BROKERS=… GROWING_CHILD_TOPIC=… GROWING_CHILD_GROUP=… GROWING_CHILD_HANG_SEQ=20 \
 *     node -r ./scripts/register.js libs/shared/data-access-bus/src/testing/growing-run.child.ts
 */
import { silentBusLogger } from '../bus.logger';
import { KafkaBus } from '../kafka.bus';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is required`);
  }

  return value;
};

async function main(): Promise<void> {
  const hang = Number(env('GROWING_CHILD_HANG_SEQ'));
  const bus = new KafkaBus({
    brokers: env('GROWING_CHILD_BROKERS').split(','),
    clientId: 'growing-run-child',
    logger: silentBusLogger,
  });
  await bus.subscribe({
    groupId: env('GROWING_CHILD_GROUP'),
    topics: [env('GROWING_CHILD_TOPIC')],
    concurrency: 64,
    keyConcurrency: 64,
    handler: async ({ value }) => {
      const seq = (value as { seq: number }).seq;
      if (seq === hang) {
        await new Promise<never>(() => undefined);
      }
      process.stdout.write(`${JSON.stringify({ done: seq })}\n`);
    },
  });
  process.stdout.write(`${JSON.stringify({ subscribed: true })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
