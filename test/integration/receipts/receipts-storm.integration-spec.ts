/**
 * A receipt storm on real MariaDB and Kafka (issue #5): 10,000 receipts are all acknowledged, drained
 * at the configured pace, every message reaches the ledger, nothing stays unprocessed, and the raw rows
 * are purged on schedule.
 */
import { RawWebhookPurger, WebhookPublisher } from '@sms/dlr-ingest';
import { ReceiptsPipeline, twilioReceipt } from '@sms/testing-receipts';

jest.setTimeout(300_000);

const STORM = 10_000;
const PACE = 4_000;
const pipeline = new ReceiptsPipeline({ processMaxPerSecond: PACE });

beforeAll(async () => {
  await pipeline.start();
}, 120_000);

afterAll(async () => {
  await pipeline.stop();
}, 60_000);

it('absorbs 10,000 receipts (all acknowledged), drains them at the set pace, and purges the raw rows', async () => {
  const messages = await pipeline.seedSentMessages(STORM);
  const receipts = messages.map((m) => twilioReceipt(m.providerMessageId, 'delivered'));

  const started = Date.now();
  const acks: number[] = [];
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      for (let i = next++; i < receipts.length; i = next++) {
        const t0 = performance.now();
        try {
          const result = await pipeline.ingest.ingest('twilio', 'status', receipts[i] as never);
          if (!result.verified || result.duplicate) {
            failures.push(result);
          }
        } catch (error) {
          failures.push(error);
        }
        acks.push(performance.now() - t0);
      }
    }),
  );
  const absorbedMs = Date.now() - started;
  expect(failures).toEqual([]);
  expect(acks).toHaveLength(STORM);

  const ids = messages.map((m) => m.messageId);
  await pipeline.waitFor(async () => (await pipeline.countInStatus(ids, 'delivered')) === STORM, 240_000, 'the ledger');
  const drainedMs = Date.now() - started;
  // Paced: the processor never ran faster than PACE receipts a second.
  expect(drainedMs).toBeGreaterThanOrEqual((STORM / PACE) * 1000 * 0.9);

  // Every accepted row was published and its publish recorded: nothing is left for the sweep, even once the
  // grace period has passed over all of them (a sweeper whose clock is past it moves the horizon beyond them).
  await pipeline.publisher.drain();
  expect(await pipeline.publisher.backlog()).toBe(0);
  const later = new WebhookPublisher(
    pipeline.ingestDs,
    () => Promise.reject(new Error('nothing should be left to publish')),
    { graceMs: 5_000 },
    () => new Date(Date.now() + 6_000),
  );
  expect(await later.sweepOnce()).toBe(0);
  const parked: { n: number }[] = await pipeline.processorDs.query('SELECT COUNT(*) AS n FROM parked_receipts');
  expect(Number(parked[0]?.n)).toBe(0);

  const purger = new RawWebhookPurger(
    pipeline.ingestDs,
    { retentionMs: 0, batchSize: 1000 },
    () => new Date(Date.now() + 1000),
  );
  expect(await purger.purgeOnce()).toBeGreaterThanOrEqual(STORM);
  const left: { n: number }[] = await pipeline.ingestDs.query('SELECT COUNT(*) AS n FROM inbound_webhooks');
  expect(Number(left[0]?.n)).toBe(0);

  acks.sort((a, b) => a - b);
  process.stdout.write(
    `storm: ${STORM} receipts absorbed in ${absorbedMs} ms (p99 ack ${acks[Math.floor(STORM * 0.99)]?.toFixed(1)} ms), ledger caught up after ${drainedMs} ms\n`,
  );
});
