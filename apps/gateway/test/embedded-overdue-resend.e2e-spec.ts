/**
 * Re-send on an overdue receipt (docs/reconciliation.md), embedded mode (SQLite, in-process bus, simulator):
 * with RESEND_ON_RECEIPT_TIMEOUT=transactional, a transactional message whose receipt is overdue, and whose
 * provider confirms by id that it holds it with no final status, is re-sent once through another provider.
 * Never twice, never for a class the operator did not enable, never after an ambiguous send.
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(240_000);

/** Great Britain: Twilio is the cheapest route, SMPP, Vonage and Sinch the others. */
const TO = '+447400123456';
const PROVIDERS = ['twilio', 'vonage', 'sinch', 'aws', 'smpp'] as const;
/** A final receipt due long after the 2 s deadline: only reconciliation ends such a message. */
const NEVER = 300_000;

let gateway: EmbeddedGateway;
let client: GatewayClient;

async function knobs(provider: string, update: Record<string, unknown>): Promise<void> {
  const answer = await client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(update), {
    'content-type': 'application/json',
  });
  expect(answer.status).toBe(200);
}

async function submitsOf(provider: string, messageId: string): Promise<number> {
  const log = await client.rawGet<{ submitsByToken?: Record<string, { submits: number }> }>(
    `/sim/${provider}/messages`,
  );

  return log.body.submitsByToken?.[messageId]?.submits ?? 0;
}

async function send(body: string, extra: Record<string, unknown> = {}): Promise<string> {
  const accepted = await client.post('/v1/messages', { to: TO, body, ...extra });
  expect(accepted.status).toBe(202);

  return accepted.body['id'];
}

beforeAll(async () => {
  gateway = await startEmbeddedGateway({ RECONCILE_AFTER_SECONDS: '2', RESEND_ON_RECEIPT_TIMEOUT: 'transactional' });
  client = new GatewayClient(gateway.url, gateway.auth);
});

beforeEach(async () => {
  for (const provider of PROVIDERS) {
    await knobs(provider, { dlrDelayMs: 200, timeoutAfterAcceptRate: 0 });
  }
});

afterAll(async () => {
  await gateway?.close();
});

it('re-sends an overdue transactional message once through another provider, which delivers it', async () => {
  await knobs('twilio', { dlrDelayMs: NEVER });
  const id = await send('overdue once');

  const message = await client.waitForMessage(id, (m) => m.status === 'delivered', 60_000);

  expect(message['attempts']).toBe(2);
  expect(message['provider']).not.toBe('twilio');
  const sent = message.events.filter((e) => e.status === 'sent' && e.source === 'send-worker');
  expect(sent.map((e) => [e.attempt, e.provider === 'twilio'])).toEqual([
    [1, true],
    [2, false],
  ]);
  const resend = message.events.find((e) => e.detail?.includes('receipt overdue'));
  expect(resend).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', provider: 'twilio' });
  // One submit to Twilio, none re-sent there.
  expect(await submitsOf('twilio', id)).toBe(1);
});

it('re-sends only once: the re-send overdue too ends unknown', async () => {
  for (const provider of PROVIDERS) {
    await knobs(provider, { dlrDelayMs: NEVER });
  }
  const id = await send('overdue twice');

  const message = await client.waitForMessage(id, (m) => m.status === 'unknown', 60_000);

  expect(message).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', attempts: 2 });
  // The first attempt need not be Twilio's: the overdue receipts of the case before count against it.
  const sent = message.events.filter((e) => e.status === 'sent' && e.source === 'send-worker');
  expect(sent.map((e) => e.attempt)).toEqual([1, 2]);
  expect(sent[1]?.provider).not.toBe(sent[0]?.provider);
  expect(message['provider']).toBe(sent[1]?.provider);
  // Give a third attempt every chance to appear: it must not.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const later = await client.get(`/v1/messages/${id}` as '/v1/messages/{id}');
  expect(later.body).toMatchObject({ status: 'unknown', attempts: 2 });
});

it('ends unknown when no other provider serves the country', async () => {
  // Sweden is served by Vonage only in the seed.
  await knobs('vonage', { dlrDelayMs: NEVER });
  const accepted = await client.post('/v1/messages', { to: '+46701740651', body: 'overdue, nowhere else' });
  expect(accepted.status).toBe(202);

  const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'unknown', 60_000);

  expect(message).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', provider: 'vonage' });
  expect(message.events.some((e) => e.detail?.endsWith('the message ends unknown'))).toBe(true);
});

it('does not re-send a class the operator did not enable (marketing)', async () => {
  await knobs('twilio', { dlrDelayMs: NEVER });
  const id = await send('overdue marketing', { messageClass: 'marketing' });

  const message = await client.waitForMessage(id, (m) => m.status === 'unknown', 60_000);

  expect(message).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', attempts: 1, provider: 'twilio' });
});

it('does not re-send a message whose send was ambiguous', async () => {
  // The first submit's answer is withheld past the client timeout; the next attempt finds it by lookup.
  await knobs('twilio', { dlrDelayMs: NEVER, timeoutAfterAcceptRate: 1 });
  const id = await send('overdue after ambiguous');
  await client.waitForMessage(id, (m) => m.status === 'sent', 120_000);
  await knobs('twilio', { timeoutAfterAcceptRate: 0 });

  const message = await client.waitForMessage(id, (m) => m.status === 'unknown', 60_000);

  expect(message).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', provider: 'twilio' });
  expect(message.events.some((e) => e.detail?.includes('receipt overdue'))).toBe(false);
  expect(await submitsOf('twilio', id)).toBe(1);
});
