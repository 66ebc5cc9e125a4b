/**
 * Re-send on an overdue receipt (docs/reconciliation.md) through the distributed mode's pieces: real MariaDB
 * and Kafka, intake's receipt-deadline sweep, the send-worker's ReceiptReconciler asking the simulated Twilio,
 * intake's status consumer and RetryScheduler. The message Twilio holds in flight past its deadline is
 * re-opened once for another provider, the re-send's receipt ends it, and a late failure of the Twilio
 * attempt never moves it back.
 */
import { TOPICS } from '@sms/contracts';
import { type ReceiptDeadlineSweep, RetryScheduler } from '@sms/intake';
import { TwilioSmsProvider } from '@sms/provider-twilio';
import { RECEIPT_TIMEOUT } from '@sms/send-worker';
import {
  fakeReceipt,
  ReceiptsPipeline,
  type SimulatorServer,
  startSimulatorServer,
  TWILIO_TOKEN,
  twilioReceipt,
} from '@sms/testing-receipts';

jest.setTimeout(120_000);

const ACCOUNT_SID = 'AC00000000000000000000000000000000';
const pipeline = new ReceiptsPipeline({ resendOnReceiptTimeout: ['transactional'] });
let sim: SimulatorServer;
let onSim: TwilioSmsProvider;
let sweep: ReceiptDeadlineSweep;
const accepted: { messageId: string; attempt: number; avoidProviders: string[] }[] = [];

beforeAll(async () => {
  await pipeline.start();
  sim = await startSimulatorServer(
    { accountSid: ACCOUNT_SID, authToken: TWILIO_TOKEN },
    { seed: 23, webhookBaseUrl: 'http://127.0.0.1', callbackTimeoutMs: 200, callbackRetryDelayMs: 20 },
  );
  const simBase = sim.base;
  onSim = new TwilioSmsProvider({
    accountSid: ACCOUNT_SID,
    authToken: TWILIO_TOKEN,
    baseUrl: `${simBase}/sim/twilio`,
    requestTimeoutMs: 1_500,
  });
  pipeline.registry.register('twilio', onSim);
  // Twilio's final receipt is due long after the 1-s deadline: its lookup answers "sent", in flight.
  const knobs = await fetch(`${simBase}/sim/knobs/twilio`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dlrDelayMs: 300_000 }),
  });
  expect(knobs.status).toBe(200);

  sweep = await pipeline.startReconciliation();
  await pipeline.bus.subscribe({
    groupId: `router-probe-${pipeline.database.name}`,
    topics: [TOPICS.accepted],
    handler: (record) => {
      accepted.push(record.value as (typeof accepted)[number]);

      return Promise.resolve();
    },
  });
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await pipeline.stop();
}, 60_000);

/** A message Twilio (simulated) really holds, recorded `sent` with the id its send result gave. */
async function sentThroughTwilio(body: string): Promise<{ id: string; sid: string }> {
  const id = await pipeline.createMessage();
  const result = await onSim.send({
    messageId: id,
    to: '+447400123456',
    from: '+15005550006',
    body,
    encoding: 'GSM-7',
    segments: 1,
  });
  await pipeline.sent(id, 'twilio', result.providerMessageId);
  await pipeline.waitForStatus(id, 'sent');

  return { id, sid: result.providerMessageId };
}

async function sweepPastDeadline(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  return sweep.sweep();
}

const ledgerRow = async (id: string) =>
  (
    await pipeline.intakeDs.query<{ attempt: number; dlr_fallbacks: number; avoid_providers: string | null }[]>(
      'SELECT attempt, dlr_fallbacks, avoid_providers FROM sms_messages WHERE id = ?',
      [id],
    )
  )[0];

async function reopened(id: string): Promise<void> {
  expect(await sweepPastDeadline()).toBeGreaterThanOrEqual(1);
  await pipeline.waitFor(async () => Number((await ledgerRow(id))?.dlr_fallbacks) === 1, 20_000, 'the re-send');
  expect(await ledgerRow(id)).toMatchObject({ attempt: 2, avoid_providers: 'twilio' });
  await pipeline.intakeDs.query('UPDATE sms_messages SET next_retry_at = ? WHERE id = ?', [
    new Date(Date.now() - 1000),
    id,
  ]);
  expect(
    await new RetryScheduler(
      pipeline.intakeDs,
      () => undefined,
      () => undefined,
      60_000,
    ).publishDueRetries(),
  ).toBeGreaterThanOrEqual(1);
  await pipeline.waitFor(
    async () => accepted.find((a) => a.messageId === id && a.attempt === 2),
    20_000,
    'the re-route excluding Twilio',
  );
  expect(accepted.find((a) => a.messageId === id && a.attempt === 2)?.avoidProviders).toEqual(['twilio']);
}

it('re-sends an overdue message once elsewhere; the re-send decides, a late Twilio failure does not', async () => {
  const { id, sid } = await sentThroughTwilio('overdue, re-sent');
  await reopened(id);

  // The router's pick answers through send-worker: its sent (with its cost), then its receipt.
  await pipeline.sent(id, 'fakeparts', 'b0b', undefined, 2);
  await pipeline.waitFor(async () => (await pipeline.message(id)).provider === 'fakeparts', 20_000, 'the adoption');
  await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(sid, 'undelivered', { ErrorCode: '30003' }));
  await pipeline.waitFor(
    async () => (await pipeline.message(id)).events.some((e) => e.source === 'dlr' && e.provider === 'twilio'),
    20_000,
    'the late Twilio receipt',
  );
  expect((await pipeline.message(id)).status).toBe('sent');

  await pipeline.ingest.ingest('fakeparts', 'status', fakeReceipt([{ id: String(0xb0b), stat: 'DELIVRD' }]));
  const view = await pipeline.waitForStatus(id, 'delivered');
  expect(view).toMatchObject({ provider: 'fakeparts', attempts: 2 });
  const sentByAttempt = view.events
    .filter((e) => e.status === 'sent' && e.source !== 'reconcile')
    .map((e) => [e.attempt, e.provider]);
  expect(sentByAttempt).toEqual([
    [1, 'twilio'],
    [2, 'fakeparts'],
  ]);
});

it('never re-sends twice: the re-send overdue too ends unknown', async () => {
  const { id } = await sentThroughTwilio('overdue twice');
  await reopened(id);
  await pipeline.sent(id, 'fakeparts', 'b0c', undefined, 2);
  await pipeline.waitFor(async () => (await pipeline.message(id)).provider === 'fakeparts', 20_000, 'the adoption');

  await sweepPastDeadline();

  const view = await pipeline.waitForStatus(id, 'unknown');
  expect(view).toMatchObject({ attempts: 2, errorCode: RECEIPT_TIMEOUT });
  expect(Number((await ledgerRow(id))?.dlr_fallbacks)).toBe(1);
});
