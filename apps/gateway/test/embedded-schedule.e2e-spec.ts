/**
 * Scheduling, cancel and expiry through the public API of the embedded gateway (SQLite, in-process bus,
 * simulator): a message with a `sendAt` waits `scheduled` (across a restart too) and is then delivered; a
 * scheduled message is cancelled, once, by its own account only; a delivered one cannot be; every bad
 * `sendAt` is refused with its code.
 */
import { GatewayClient, type MessageBody } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

const TO = '+447400123456';
const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

let gateway: EmbeddedGateway;
let client: GatewayClient;

beforeAll(async () => {
  gateway = await startEmbeddedGateway();
  client = new GatewayClient(gateway.url, gateway.auth);
});

afterAll(async () => {
  await gateway?.close();
});

const schedule = async (sendAt: string, extra: { validitySeconds?: number } = {}): Promise<string> => {
  const answer = await client.post('/v1/messages', { to: TO, body: 'scheduled e2e', sendAt, ...extra });
  expect(answer.status).toBe(202);
  expect(answer.body).toMatchObject({ status: 'scheduled', sendAt: new Date(sendAt).toISOString() });

  return answer.body.id;
};

it('holds a message scheduled until its sendAt, then sends and delivers it', async () => {
  const sendAt = inMs(2_000);
  const id = await schedule(sendAt, { validitySeconds: 600 });
  const held = await client.get(`/v1/messages/${id}`);
  expect(held.body).toMatchObject({
    status: 'scheduled',
    sendAt,
    expiresAt: new Date(Date.parse(sendAt) + 600_000).toISOString(),
  });

  const delivered = await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);
  expect(Date.parse(delivered.sentAt!)).toBeGreaterThanOrEqual(Date.parse(sendAt));
  expect(delivered.events.map((e) => e.status).slice(0, 2)).toEqual(['scheduled', 'queued']);
});

it('cancels a scheduled message once; a second cancel is 409 and the message is never sent', async () => {
  const id = await schedule(inMs(1_500));

  const cancelled = await client.post(`/v1/messages/${id}/cancel`, {});
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ id, status: 'cancelled' });
  const again = await client.post(`/v1/messages/${id}/cancel`, {});
  expect(again.status).toBe(409);
  expect(again.body).toMatchObject({ error: { code: 'MESSAGE_ALREADY_CANCELLED' } });

  // Past its sendAt, it is still cancelled and was never released.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const later = await client.get(`/v1/messages/${id}`);
  expect(later.body).toMatchObject({ status: 'cancelled', provider: null, sentAt: null });
  expect(later.body.events.map((e) => e.status)).toEqual(['scheduled', 'cancelled']);
});

it('cancels without a body and without a content type', async () => {
  const id = await schedule(inMs(600_000));
  const answer = await client.raw<MessageBody>('POST', `/v1/messages/${id}/cancel`);
  expect(answer.status).toBe(200);
  expect(answer.body.status).toBe('cancelled');
});

it("answers 404 to another account's cancel and read, and leaves the message alone", async () => {
  const id = await schedule(inMs(600_000));
  const account = await client.post('/v1/accounts', { name: 'Schedule other' });
  expect(account.status).toBe(201);
  const key = await client.post('/v1/api-keys', {
    name: 'other',
    scopes: ['send', 'read'],
    accountId: account.body.id,
  });
  expect(key.status).toBe(201);
  const other = new GatewayClient(gateway.url, { authorization: `Bearer ${key.body.key}` });

  const cancel = await other.post(`/v1/messages/${id}/cancel`, {});
  expect(cancel.status).toBe(404);
  expect(cancel.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  expect((await other.get(`/v1/messages/${id}`)).status).toBe(404);
  expect((await client.get(`/v1/messages/${id}`)).body.status).toBe('scheduled');
  expect((await client.post(`/v1/messages/not-a-uuid/cancel`, {})).status).toBe(404);
});

it('refuses (409) to cancel a message a provider already has', async () => {
  const sent = await client.post('/v1/messages', { to: TO, body: 'sent at once' });
  const id = sent.body.id;
  await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);

  const answer = await client.post(`/v1/messages/${id}/cancel`, {});
  expect(answer.status).toBe(409);
  expect(answer.body).toMatchObject({ error: { code: 'MESSAGE_WITH_PROVIDER' } });
  expect((await client.get(`/v1/messages/${id}`)).body.status).toBe('delivered');
});

it.each<[string, string, unknown]>([
  ['in the past', 'SEND_AT_IN_PAST', new Date(Date.now() - 3_600_000).toISOString()],
  ['more than 35 days ahead', 'SEND_AT_TOO_FAR', new Date(Date.now() + 36 * 24 * 3_600_000).toISOString()],
  ['not RFC 3339', 'INVALID_SEND_AT', '2026-03-01 09:30'],
  ['a number', 'INVALID_FIELD_TYPE', Date.now() + 60_000],
])('refuses a sendAt %s with 422 %s', async (_name, code, sendAt) => {
  const answer = await client.rawPost('/v1/messages', { to: TO, body: 'bad sendAt', sendAt });
  expect(answer.status).toBe(422);
  expect(answer.body).toEqual({ error: { code, message: expect.any(String), field: 'sendAt' } });
});

it('keeps a scheduled message across a restart and sends it after', async () => {
  const id = await schedule(inMs(4_000));
  const dataDir = gateway.dataDir;
  await gateway.close({ keepData: true });
  gateway = await startEmbeddedGateway({}, dataDir);
  client = new GatewayClient(gateway.url, gateway.auth);

  expect((await client.get(`/v1/messages/${id}`)).body.status).toBe('scheduled');
  await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);
});
