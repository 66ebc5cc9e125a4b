/**
 * Reconciliation on real MariaDB and Kafka against the provider simulator (docs/reconciliation.md): a
 * message left `sent` past its receipt deadline is looked up at the provider and ends with what the provider
 * says, or `unknown`; a receipt parked because the `sent` event was lost is matched once the lookup
 * re-announces the provider id; an ambiguous send is looked up before any resend and sent again only when
 * the provider does not have it.
 */
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Server } from 'node:net';
import type { ConsumedRecord } from '@sms/bus';
import {
  DEFAULT_ACCOUNT_ID,
  type DispatchRequestedV1,
  Encoding,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  TOPICS,
} from '@sms/contracts';
import type { ReceiptDeadlineSweep } from '@sms/intake';
import { OptOutReplica } from '@sms/opt-out-registry';
import { createServiceDataSource } from '@sms/persistence';
import { TwilioSmsProvider } from '@sms/provider-twilio';
import { DispatchHandler, RECEIPT_TIMEOUT, SEND_WORKER_ENTITIES, SEND_WORKER_MIGRATIONS } from '@sms/send-worker';
import type { DataSource } from 'typeorm';
import { migrate } from '../../../scripts/migrate';
import {
  ReceiptsPipeline,
  type SimulatorServer,
  startSimulatorServer,
  TWILIO_TOKEN,
  twilioReceipt,
} from '@sms/testing-receipts';

jest.setTimeout(120_000);

const ACCOUNT_SID = 'AC00000000000000000000000000000000';
const RECIPIENT = '+447400123456';
const SENDER = '+15005550006';

const pipeline = new ReceiptsPipeline();
let sim: SimulatorServer;
let simBase: string;
let blackHole: Server;
let sendWorkerDs: DataSource;
let onSim: TwilioSmsProvider;
let handler: DispatchHandler;
let sweep: ReceiptDeadlineSweep;

beforeAll(async () => {
  await pipeline.start();
  await migrate(pipeline.database.url, ['send-worker']);
  sendWorkerDs = await createServiceDataSource({
    service: 'send-worker',
    database: { kind: 'mysql', url: pipeline.database.url, poolSize: 5 },
    entities: SEND_WORKER_ENTITIES,
    migrations: SEND_WORKER_MIGRATIONS,
  }).initialize();

  sim = await startSimulatorServer(
    { accountSid: ACCOUNT_SID, authToken: TWILIO_TOKEN },
    { seed: 11, webhookBaseUrl: 'http://127.0.0.1', callbackTimeoutMs: 200, callbackRetryDelayMs: 20 },
  );
  simBase = sim.base;
  onSim = twilioAt(`${simBase}/sim/twilio`);
  pipeline.registry.register('twilio', onSim);

  // Accepts connections and never answers: a request that may or may not have arrived.
  blackHole = createServer(() => undefined);
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));

  sweep = await pipeline.startReconciliation();
  // Receipts the simulator posts go nowhere (a closed port): these tests learn outcomes by lookup only.
  handler = new DispatchHandler(
    sendWorkerDs,
    pipeline.bus,
    pipeline.registry,
    'http://127.0.0.1:9',
    new OptOutReplica(),
  );
}, 120_000);

afterAll(async () => {
  await knobs({ timeoutAfterAcceptRate: 0 });
  await sim?.close();
  blackHole?.close();
  await pipeline.stop();
  await sendWorkerDs?.destroy();
}, 60_000);

function twilioAt(baseUrl: string): TwilioSmsProvider {
  return new TwilioSmsProvider({ accountSid: ACCOUNT_SID, authToken: TWILIO_TOKEN, baseUrl, requestTimeoutMs: 1_500 });
}

async function knobs(update: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${simBase}/sim/knobs/twilio`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(update),
  });
  expect(response.status).toBe(200);
}

async function submitsOf(messageId: string): Promise<number> {
  const log = (await (await fetch(`${simBase}/sim/twilio/messages`)).json()) as {
    submitsByToken: Record<string, { submits: number }>;
  };

  return log.submitsByToken[messageId]?.submits ?? 0;
}

/** A message the simulator has (created without a status callback, so only a lookup tells its fate). */
async function simulatorMessage(messageId: string, body: string): Promise<string> {
  const result = await onSim.send({ messageId, to: RECIPIENT, from: SENDER, body, encoding: 'GSM-7', segments: 1 });

  return result.providerMessageId;
}

/** The ledger says `sent` with this provider id, written straight to intake: dlr-processor never heard of it. */
async function sentWithoutTellingDlrProcessor(messageId: string, providerMessageId: string): Promise<void> {
  const event: StatusChangedV1 = {
    eventId: randomUUID(),
    messageId,
    kind: StatusEventKind.Sent,
    source: StatusEventSource.SendWorker,
    attempt: 1,
    provider: 'twilio',
    providerMessageId,
    errorCode: null,
    errorMessage: null,
    errorClass: null,
    ambiguous: null,
    cost: null,
    currency: null,
    detail: 'test route',
    occurredAt: new Date().toISOString(),
  };
  expect(await pipeline.applier.apply(event)).toBe('applied');
}

/** Waits past the 1-s deadline, then runs one sweep pass. */
async function sweepPastDeadline(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  return sweep.sweep();
}

function dispatchOf(messageId: string, attempt: number, body: string): ConsumedRecord {
  const dispatch: DispatchRequestedV1 = {
    messageId,
    accountId: DEFAULT_ACCOUNT_ID,
    attempt,
    provider: 'twilio',
    from: SENDER,
    to: RECIPIENT,
    body,
    encoding: Encoding.Gsm7,
    segments: 1,
    validitySeconds: null,
    price: '0.0075',
    currency: 'USD',
    routeReason: 'test',
    routedAt: new Date().toISOString(),
  };

  return { topic: TOPICS.dispatch, key: SENDER, value: dispatch, headers: {}, partition: 0, offset: '0' } as never;
}

async function attemptOutcome(messageId: string, attempt: number): Promise<StatusChangedV1> {
  const rows: { outcome: string }[] = await sendWorkerDs.query(
    'SELECT outcome FROM send_attempts WHERE message_id = ? AND attempt = ?',
    [messageId, attempt],
  );

  return JSON.parse(rows[0]?.outcome ?? 'null') as StatusChangedV1;
}

describe('messages without a final receipt (limbo)', () => {
  it('a sent message past its deadline is looked up and ends delivered, through sms.status.v1', async () => {
    await knobs({ dlrDelayMs: 0, dlrOutcomes: { delivered: 1, undelivered: 0, failed: 0 } });
    const id = await pipeline.createMessage();
    const sid = await simulatorMessage(id, 'limbo one');
    await pipeline.sent(id, 'twilio', sid);
    await pipeline.waitForStatus(id, 'sent');

    expect(await sweepPastDeadline()).toBeGreaterThanOrEqual(1);

    const view = await pipeline.waitForStatus(id, 'delivered');
    const reconcile = view.events.filter((e) => e.source === 'reconcile').map((e) => [e.status, e.applied !== false]);
    expect(reconcile).toEqual([
      ['sent', false],
      ['delivered', true],
    ]);
  });

  it('ends unknown (RECEIPT_TIMEOUT) when the provider does not know it, and a later receipt still corrects it', async () => {
    const id = await pipeline.createMessage();
    const sid = `SM${randomUUID().replace(/-/g, '')}`; // never created at the simulator: its lookup is a 404
    await pipeline.sent(id, 'twilio', sid);
    await pipeline.waitForStatus(id, 'sent');

    await sweepPastDeadline();

    const unknown = await pipeline.waitForStatus(id, 'unknown');
    expect(unknown.errorCode).toBe(RECEIPT_TIMEOUT);
    // Final: another sweep does not ask again.
    await sweepPastDeadline();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await pipeline.message(id)).events.filter((e) => e.status === 'unknown')).toHaveLength(1);

    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(sid, 'delivered'));
    const corrected = await pipeline.waitForStatus(id, 'delivered');
    expect(corrected.deliveredAt).not.toBeNull();
  });

  it('matches a receipt parked because the sent event was lost, once the lookup re-announces the provider id', async () => {
    await knobs({ dlrDelayMs: 60_000 }); // the simulator still says `sent`: only the parked receipt can finish it
    const id = await pipeline.createMessage();
    const sid = await simulatorMessage(id, 'limbo parked');
    await sentWithoutTellingDlrProcessor(id, sid);
    await pipeline.ingest.ingest('twilio', 'status', twilioReceipt(sid, 'undelivered', { ErrorCode: '30005' }));
    await pipeline.waitFor(
      async () =>
        (
          await pipeline.processorDs.query<unknown[]>(
            "SELECT id FROM parked_receipts WHERE provider_message_id = ? AND reason = 'unmatched'",
            [sid.toLowerCase()],
          )
        ).length > 0,
      20_000,
      'the receipt to be parked',
    );

    await sweepPastDeadline();

    // The lookup says `sent` (not final), so reconciliation ends it unknown; the released receipt corrects that.
    const view = await pipeline.waitForStatus(id, 'undelivered');
    expect(view.errorCode).toBe('30005');
    expect(view.events.map((e) => [e.source, e.status])).toEqual(
      expect.arrayContaining([
        ['reconcile', 'sent'],
        ['reconcile', 'unknown'],
        ['dlr', 'undelivered'],
      ]),
    );
    const parked: unknown[] = await pipeline.processorDs.query(
      "SELECT id FROM parked_receipts WHERE provider_message_id = ? AND reason = 'unmatched'",
      [sid.toLowerCase()],
    );
    expect(parked).toHaveLength(0);
    await knobs({ dlrDelayMs: 0 });
  });
});

describe('ambiguous sends', () => {
  it('is not resent when the provider has it: the next attempt records its id and goes on as sent', async () => {
    await knobs({ timeoutAfterAcceptRate: 1 });
    const id = await pipeline.createMessage({ body: 'ambiguous kept' });
    await handler.handle(dispatchOf(id, 1, 'ambiguous kept'));
    const first = await attemptOutcome(id, 1);
    expect([first.kind, first.ambiguous, first.errorCode]).toEqual([StatusEventKind.Retry, true, 'TIMEOUT']);
    await knobs({ timeoutAfterAcceptRate: 0 });

    await handler.handle(dispatchOf(id, 2, 'ambiguous kept'));

    const second = await attemptOutcome(id, 2);
    expect(second.kind).toBe(StatusEventKind.Sent);
    expect(second.providerMessageId).toMatch(/^SM/);
    expect(await submitsOf(id)).toBe(1);
    const view = await pipeline.waitForStatus(id, 'sent');
    expect(view.providerMessageId).toBe(second.providerMessageId);
  });

  it('is resent exactly once when the provider does not have it', async () => {
    const id = await pipeline.createMessage({ body: 'ambiguous lost' });
    pipeline.registry.register('twilio', twilioAt(`http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`));
    try {
      await handler.handle(dispatchOf(id, 1, 'ambiguous lost'));
    } finally {
      pipeline.registry.register('twilio', onSim);
    }
    expect((await attemptOutcome(id, 1)).ambiguous).toBe(true);
    expect(await submitsOf(id)).toBe(0);

    await handler.handle(dispatchOf(id, 2, 'ambiguous lost'));
    // A redelivered dispatch republishes the recorded outcome: still one submit.
    await handler.handle(dispatchOf(id, 2, 'ambiguous lost'));

    expect((await attemptOutcome(id, 2)).kind).toBe(StatusEventKind.Sent);
    expect(await submitsOf(id)).toBe(1);
    await pipeline.waitForStatus(id, 'sent');
  });

  it('sends every message once when a third of the accepted submits time out (no duplicates)', async () => {
    await knobs({ timeoutAfterAcceptRate: 0.34 });
    const ids = await Promise.all(Array.from({ length: 12 }, () => pipeline.createMessage({ body: 'storm' })));
    let timedOut = 0;
    await Promise.all(
      ids.map(async (id, index) => {
        const body = `storm ${index}`;
        for (let attempt = 1; attempt <= 6; attempt += 1) {
          await handler.handle(dispatchOf(id, attempt, body));
          const outcome = await attemptOutcome(id, attempt);
          if (outcome.kind === StatusEventKind.Sent) {
            return;
          }
          timedOut += outcome.errorCode === 'TIMEOUT' ? 1 : 0;
        }
        throw new Error(`message ${index} was never reported sent`);
      }),
    );
    await knobs({ timeoutAfterAcceptRate: 0 });

    expect(timedOut).toBeGreaterThan(0);
    const submits = await Promise.all(ids.map(submitsOf));
    expect(submits).toEqual(ids.map(() => 1));
  });
});

describe('attempts running out', () => {
  const retry = (messageId: string, attempt: number, ambiguous: boolean): StatusChangedV1 => ({
    eventId: randomUUID(),
    messageId,
    kind: StatusEventKind.Retry,
    source: StatusEventSource.SendWorker,
    attempt,
    provider: 'twilio',
    providerMessageId: null,
    errorCode: ambiguous ? 'AMBIGUOUS_UNRESOLVED' : '20503',
    errorMessage: 'test',
    errorClass: 'transient',
    ambiguous,
    cost: null,
    currency: null,
    detail: null,
    occurredAt: new Date().toISOString(),
  });

  it('ends unknown, not failed, when the last attempt may have reached the provider', async () => {
    const ambiguous = await pipeline.createMessage();
    const refused = await pipeline.createMessage();
    // The pipeline's policy allows 3 attempts.
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await pipeline.applier.apply(retry(ambiguous, attempt, true));
      await pipeline.applier.apply(retry(refused, attempt, false));
    }

    expect((await pipeline.message(ambiguous)).status).toBe('unknown');
    expect((await pipeline.message(refused)).status).toBe('failed');
  });
});
