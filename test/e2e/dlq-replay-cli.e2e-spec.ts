import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { type ConsumedRecord, dlqTopicOf, KafkaBus, NonRetriableError, silentBusLogger } from '@sms/bus';

const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);

jest.setTimeout(120_000);

/** `npm run dlq:replay -- ...` as an operator runs it, against the real broker. */
async function dlqReplay(
  ...args: string[]
): Promise<{ replayed: unknown[]; alreadyReplayed: number; dryRun: boolean }> {
  const { stdout } = await run(process.execPath, ['-r', './scripts/register.js', 'scripts/dlq-replay.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS },
    timeout: 90_000,
  });

  return JSON.parse(stdout) as { replayed: unknown[]; alreadyReplayed: number; dryRun: boolean };
}

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run dlq:replay against Kafka (distributed mode)', () => {
  const topic = `e2e.dlq-cli.${randomUUID().slice(0, 8)}.v1`;
  const bus = new KafkaBus({ brokers: KAFKA_BROKERS.split(','), clientId: 'dlq-cli-e2e', logger: silentBusLogger });

  afterAll(async () => {
    await bus.close();
    const admin = new Kafka({
      clientId: 'dlq-cli-e2e-cleanup',
      brokers: KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopicOf(topic)] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('replays each dead letter once: dry run, replay, second run finds them replayed', async () => {
    await bus.ensureTopics([{ topic, numPartitions: 2 }]);
    let fixed = false;
    const handled: ConsumedRecord[] = [];
    const dead: ConsumedRecord[] = [];
    await bus.subscribe({
      groupId: `${topic}.dlq-watch`,
      topics: [dlqTopicOf(topic)],
      handler: async (r) => void dead.push(r),
    });
    await bus.subscribe({
      groupId: `${topic}.consumer`,
      topics: [topic],
      handler: async (record) => {
        if (!fixed) {
          throw new NonRetriableError('a bug, since fixed');
        }
        handled.push(record);
      },
    });
    await bus.publish([1, 2, 3].map((n) => ({ topic, key: `k${n}`, value: { n } })));
    await until('three dead letters', () => dead.length === 3);

    const dry = await dlqReplay('--topic', dlqTopicOf(topic), '--dry-run');
    expect(dry).toMatchObject({ dryRun: true, alreadyReplayed: 0 });
    expect(dry.replayed).toHaveLength(3);
    fixed = true;

    const first = await dlqReplay('--topic', dlqTopicOf(topic));
    expect(first.replayed).toHaveLength(3);
    await until('the replayed records', () => handled.length === 3);
    const second = await dlqReplay('--topic', dlqTopicOf(topic));
    expect(second).toMatchObject({ replayed: [], alreadyReplayed: 3 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(handled.map((r) => (r.value as { n: number }).n).sort()).toEqual([1, 2, 3]);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    await expect(dlqReplay('--topic', topic)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a DLQ topic'),
    });
  });
});
