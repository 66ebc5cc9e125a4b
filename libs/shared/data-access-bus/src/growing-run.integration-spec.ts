/**
 * The Kafka adapter's growing partition runs (keyConcurrency > 1) against the real broker: records that
 * arrive while a slow record runs start at once, and a consumer killed mid-batch has committed nothing past
 * its lowest unfinished record, so the next member of the group handles that record and everything after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { deferred, delay, uniqueGroup, waitFor } from './bus.behaviour';
import { silentBusLogger } from './bus.logger';
import { dlqTopicOf } from './bus.port';
import { KafkaBus } from './kafka.bus';

jest.setTimeout(120_000);

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const runId = randomUUID().slice(0, 8);
const ROOT = path.join(__dirname, '../../../..');
const kafka = new Kafka({ clientId: `growing-it-raw-${runId}`, brokers, logLevel: logLevel.NOTHING });
const created: string[] = [];
const buses: KafkaBus[] = [];
let topicSeq = 0;

const newBus = (): KafkaBus => {
  const bus = new KafkaBus({ brokers, clientId: `growing-it-${runId}`, logger: silentBusLogger });
  buses.push(bus);

  return bus;
};

/** One partition: the records of the test's one key, in offset order. */
async function createTopic(): Promise<string> {
  const topic = `growing-it.${runId}.${++topicSeq}.v1`;
  await newBus().ensureTopics([{ topic, numPartitions: 1 }]);
  created.push(topic, dlqTopicOf(topic));

  return topic;
}

const records = (topic: string, from: number, to: number): { topic: string; key: string; value: { seq: number } }[] =>
  Array.from({ length: to - from }, (_, n) => ({ topic, key: 'one-sender', value: { seq: from + n } }));

async function committedOffset(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });

    return Number(offsets?.partitions.find((p) => p.partition === 0)?.offset ?? '-1');
  } finally {
    await admin.disconnect();
  }
}

afterAll(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()));
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

describe('KafkaBus growing partition runs (keyConcurrency > 1)', () => {
  it('starts records published while a slow record of the batch still runs', async () => {
    const topic = await createTopic();
    const bus = newBus();
    const gate = deferred();
    const started: number[] = [];
    const finished: number[] = [];
    await bus.subscribe({
      groupId: uniqueGroup('growing'),
      topics: [topic],
      concurrency: 64,
      keyConcurrency: 64,
      handler: async ({ value }) => {
        const seq = (value as { seq: number }).seq;
        started.push(seq);
        if (seq === 0) {
          await gate.promise;
        }
        finished.push(seq);
      },
    });
    try {
      await bus.publish(records(topic, 0, 1));
      await waitFor('the slow record to start', () => started.includes(0), 30_000);
      // Published after the fetch that carried record 0: a batch that waited for its slowest record would
      // not fetch these until the gate opens.
      await bus.publish(records(topic, 1, 21));
      await waitFor('the later records, the slow one still running', () => finished.length === 20, 30_000);
      expect(finished).not.toContain(0);
    } finally {
      // Also on failure: close() waits for the handler in flight.
      gate.resolve();
    }
    await waitFor('the slow record', () => finished.length === 21, 30_000);
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, n) => n));
  });

  it('a consumer killed mid-batch committed nothing past its lowest unfinished record; the next member handles it', async () => {
    const topic = await createTopic();
    const groupId = uniqueGroup('growing-kill');
    const hang = 20;
    const doneByChild = new Set<number>();
    let subscribed = false;
    const child: ChildProcess = spawn(
      process.execPath,
      ['-r', './scripts/register.js', 'libs/shared/data-access-bus/src/testing/growing-run.child.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          GROWING_CHILD_BROKERS: brokers.join(','),
          GROWING_CHILD_TOPIC: topic,
          GROWING_CHILD_GROUP: groupId,
          GROWING_CHILD_HANG_SEQ: String(hang),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const event = JSON.parse(line) as { done?: number; subscribed?: boolean };
        if (event.subscribed) {
          subscribed = true;
        }
        if (event.done !== undefined) {
          doneByChild.add(event.done);
        }
      });
      await waitFor('the child to subscribe', () => subscribed, 60_000);
      const publisher = newBus();
      // First wave: finished and committed (the run ends, its offset goes within the commit interval).
      await publisher.publish(records(topic, 0, 10));
      await waitFor('the first wave', () => doneByChild.size === 10, 60_000);
      const deadline = Date.now() + 30_000;
      while ((await committedOffset(groupId, topic)) < 10 && Date.now() < deadline) {
        await delay(200);
      }
      // Second wave: record `hang` never finishes; everything after it does, in the same growing batch.
      await publisher.publish(records(topic, 10, 40));
      await waitFor('every record of the second wave but one', () => doneByChild.size === 39, 60_000);
      // Past the commit interval, so a commit of anything beyond the unfinished record would have gone out.
      await delay(1_500);
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    }
    expect(doneByChild.has(hang)).toBe(false);
    const committed = await committedOffset(groupId, topic);
    // Offsets equal seqs: one partition, one publisher, nothing else written to the topic.
    expect(committed).toBeGreaterThanOrEqual(10);
    expect(committed).toBeLessThanOrEqual(hang);

    // The next member (after the dead one's session lapses) starts at the committed offset.
    const seen: number[] = [];
    await newBus().subscribe({
      groupId,
      topics: [topic],
      concurrency: 64,
      keyConcurrency: 64,
      handler: async ({ value }) => {
        seen.push((value as { seq: number }).seq);
      },
    });
    await waitFor('the unfinished record and everything after it again', () => seen.length >= 40 - committed, 90_000);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 - committed }, (_, n) => committed + n));
  });
});
