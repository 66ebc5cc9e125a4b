import { randomInt } from 'node:crypto';
import 'reflect-metadata';
import { type ApiScopeName, GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';

/** Services on 6901-6907, the simulator on 7910 (this suite's port range). */
const PORT_OFFSET = 3900;

const mobile = (): string => `+447400${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
/** 78 characters: two UCS-2 segments for its typography alone, one GSM-7 segment once replaced. */
const CURLY = '“Your code is 123456” — don’t share it with anyone… It expires in ten minutes.';

/**
 * Batches, smart encoding and quotes in the distributed mode: the seven services on Kafka, MariaDB and Redis.
 * Intake answers a quote's route by asking the router service (ROUTER_URL) with the caller's key, and sees
 * opt-outs through its replica of `sms.optout.v1`.
 */
describe('distributed gateway: batches, smart encoding and quotes', () => {
  let stack: DistributedStack;
  let operator: GatewayClient;
  let acme: { id: string; client: GatewayClient; optOut: GatewayClient };
  let globex: { id: string; client: GatewayClient };

  const keyIn = async (accountId: string, scopes: ApiScopeName[]): Promise<Record<string, string>> => {
    const created = await operator.post('/v1/api-keys', { name: 'e2e', scopes, accountId });

    return { authorization: `Bearer ${created.body.key}` };
  };

  beforeAll(async () => {
    stack = await distributedStack({
      portOffset: PORT_OFFSET,
      // The shared test machine can be slow to start eight processes.
      startTimeoutMs: 180_000,
      // A batch of one account must fit its per-second rate and the pumping guard's ranges.
      extraEnv: { LIMITS_MESSAGES_PER_SECOND: '5000', PUMPING_SEQUENTIAL_RECIPIENTS: '5000' },
    });
    operator = stack.client;
    const acmeId = (await operator.post('/v1/accounts', { name: 'Acme' })).body.id;
    const globexId = (await operator.post('/v1/accounts', { name: 'Globex' })).body.id;
    const acmeAuth = await keyIn(acmeId, ['send', 'read', 'admin']);
    acme = {
      id: acmeId,
      client: new GatewayClient(stack.topology.intakeUrl, acmeAuth),
      optOut: stack.serviceClient('opt-out', acmeAuth),
    };
    globex = {
      id: globexId,
      client: new GatewayClient(stack.topology.intakeUrl, await keyIn(globexId, ['send', 'read'])),
    };
  }, 400_000);

  afterAll(() => stack?.stop(), 60_000);

  it("applies the account's smart-encoding default to its sends only", async () => {
    const set = await acme.client.patch('/v1/account', { smartEncoding: true });
    expect(set.status).toBe(200);

    const own = await acme.client.post('/v1/messages', { to: mobile(), body: CURLY });
    const other = await globex.client.post('/v1/messages', { to: mobile(), body: CURLY });

    expect(own.body).toMatchObject({ encoding: 'GSM-7', segmentsSaved: 1 });
    expect(other.body).toMatchObject({ encoding: 'UCS-2', segmentsSaved: 0 });
    const delivered = await acme.client.waitForMessage(own.body.id, (m) => m.status === 'delivered', 30_000);
    expect(delivered).toMatchObject({ status: 'delivered', encoding: 'GSM-7', segments: 1 });
  }, 60_000);

  it('accepts a batch item by item, in order, and delivers what it accepted', async () => {
    const messages = Array.from({ length: 250 }, (_, n) => ({
      to: mobile(),
      body: `batch ${n}`,
      clientReference: `b-${n}`,
    }));
    messages.splice(1, 0, { to: '+4412', body: 'bad number', clientReference: 'bad' });

    const answer = await acme.client.post('/v1/messages/batch', { messages });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 250, refused: 1 });
    expect(answer.body.results[1]).toMatchObject({ index: 1, status: 422, error: { code: 'INVALID_PHONE_NUMBER' } });
    expect(answer.body.results.map((r) => r.message?.clientReference ?? 'bad')).toEqual(
      messages.map((m) => m.clientReference),
    );
    const first = answer.body.results[0]?.message?.id ?? '';
    expect((await acme.client.waitForMessage(first, (m) => m.status === 'delivered', 30_000)).status).toBe('delivered');
    expect((await globex.client.get(`/v1/messages/${first}`)).status).toBe(404);
  }, 90_000);

  it("quotes the router's choice over HTTP, without storing anything, for a send or a read key", async () => {
    const reader = new GatewayClient(stack.topology.intakeUrl, await keyIn(acme.id, ['read']));
    const to = mobile();
    const stored = async (): Promise<number> =>
      Number((await stack.database.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM sms_messages'))[0]?.n);
    const before = await stored();

    const quote = await reader.post('/v1/messages/quote', { to, body: 'x'.repeat(200) });

    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({
      country: 'GB',
      numberType: 'mobile',
      encoding: 'GSM-7',
      segments: 2,
      optedOut: false,
      route: { decision: 'route', chosen: { provider: expect.any(String), price: expect.any(String) } },
    });
    expect(Number(quote.body.total)).toBeCloseTo(Number(quote.body.route.chosen?.price) * 2, 6);
    expect(await stored()).toBe(before);
    const refused = await acme.client.post('/v1/messages/quote', { to: '+4412', body: 'x' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'INVALID_PHONE_NUMBER', field: 'to' } });
  }, 60_000);

  it("says the recipient opted out of the caller's account only", async () => {
    const number = mobile();
    expect((await acme.optOut.post('/v1/opt-outs', { number })).status).toBe(201);

    let own = await acme.client.post('/v1/messages/quote', { to: number, body: 'hi' });
    for (let tries = 0; tries < 100 && !own.body.optedOut; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      own = await acme.client.post('/v1/messages/quote', { to: number, body: 'hi' });
    }
    const other = await globex.client.post('/v1/messages/quote', { to: number, body: 'hi' });

    expect(own.body.optedOut).toBe(true);
    expect(other.body.optedOut).toBe(false);
  }, 60_000);
});
