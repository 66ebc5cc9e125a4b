import 'reflect-metadata';
import { ApiScope } from '@sms/auth';
import { type GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';

const TO = '+447400123456';
const PORT_OFFSET = 2600;

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

/**
 * Scheduling and cancel in the distributed mode: the seven services on Kafka, MariaDB and Redis, driven
 * through the REST API. A scheduled message is released by intake's job and delivered through every service;
 * cancels are decided in the ledger and, for queued messages, through the send gate in Redis.
 */
describe('distributed gateway: scheduled messages and cancel', () => {
  let stack: DistributedStack<string>;
  let client: GatewayClient;
  let other: GatewayClient;

  beforeAll(async () => {
    stack = await distributedStack({
      seed: async (store) => {
        const account = await store.accounts.create('schedule e2e other');

        return (await store.keys.create('other', [ApiScope.Send, ApiScope.Read], { accountId: account.id })).key;
      },
      portOffset: PORT_OFFSET,
      // Seven processes compiling at once on a shared 2-core box can take minutes to come up.
      startTimeoutMs: 240_000,
    });
    client = stack.client;
    other = stack.clientWith(stack.seeded);
  }, 300_000);

  afterAll(() => stack?.stop(), 60_000);

  const schedule = async (sendAt: string): Promise<string> => {
    const answer = await client.post('/v1/messages', { to: TO, body: 'scheduled distributed', sendAt });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'scheduled' });

    return answer.body.id;
  };

  it('holds a scheduled message until its sendAt, then delivers it through every service', async () => {
    const sendAt = inMs(3_000);
    const id = await schedule(sendAt);
    expect((await client.get(`/v1/messages/${id}`)).body.status).toBe('scheduled');

    const delivered = await client.waitForMessage(id, (m) => m.status === 'delivered', 60_000);
    expect(Date.parse(delivered.sentAt!)).toBeGreaterThanOrEqual(Date.parse(sendAt));
    expect(delivered.events.map((e) => e.status).slice(0, 2)).toEqual(['scheduled', 'queued']);
  }, 90_000);

  it("cancels a scheduled message once, never sends it, and answers 404 to another account's cancel", async () => {
    const id = await schedule(inMs(2_000));

    const foreign = await other.post(`/v1/messages/${id}/cancel`, {});
    expect(foreign.status).toBe(404);
    expect((await other.get(`/v1/messages/${id}`)).status).toBe(404);

    const cancelled = await client.post(`/v1/messages/${id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await client.post(`/v1/messages/${id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'MESSAGE_ALREADY_CANCELLED' } });

    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const later = await client.get(`/v1/messages/${id}`);
    expect(later.body).toMatchObject({ status: 'cancelled', provider: null, sentAt: null });
  }, 60_000);

  it('refuses (409) to cancel a delivered message', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'sent at once' });
    const id = accepted.body.id;
    await client.waitForMessage(id, (m) => m.status === 'delivered', 60_000);

    const answer = await client.post(`/v1/messages/${id}/cancel`, {});
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: { code: 'MESSAGE_WITH_PROVIDER' } });
  }, 90_000);

  it('refuses a sendAt in the past and one too far ahead', async () => {
    const past = await client.post('/v1/messages', { to: TO, body: 'x', sendAt: inMs(-3_600_000) });
    expect(past.status).toBe(422);
    expect(past.body).toMatchObject({ error: { code: 'SEND_AT_IN_PAST', field: 'sendAt' } });
    const far = await client.post('/v1/messages', { to: TO, body: 'x', sendAt: inMs(40 * 24 * 3_600_000) });
    expect(far.status).toBe(422);
    expect(far.body).toMatchObject({ error: { code: 'SEND_AT_TOO_FAR', field: 'sendAt' } });
  });
});
