/**
 * Batches, smart encoding and quotes end to end in the embedded gateway (docs/api.md "Batches", "Smart
 * encoding", "Quotes"): each over HTTP with bad input for every new field, quotas shared by a batch's items,
 * and account A's messages, settings and opt-outs never visible to account B.
 */
import { randomInt } from 'node:crypto';
import { INTAKE_DATA_SOURCE } from '@sms/intake';
import type { components } from '@sms/api-client';
import { type ApiScopeName, GatewayClient } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(180_000);

/** A random GB mobile (the suite raises the pumping guard's per-range threshold for its 1,000-message batch). */
const mobile = (): string => `+447400${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
/** 78 characters: two UCS-2 segments for its typography alone, one GSM-7 segment once replaced. */
const CURLY = '“Your code is 123456” — don’t share it with anyone… It expires in ten minutes.';
const PLAIN = `"Your code is 123456" - don't share it with anyone... It expires in ten minutes.`;

type BatchResponse = components['schemas']['BatchResponseDto'];

let gateway: EmbeddedGateway;
let operator: GatewayClient;
let acme: { id: string; client: GatewayClient };
let globex: { id: string; client: GatewayClient };

/** A PATCH of the account settings with a body off the contract on purpose. */
const patchOffContract = (client: GatewayClient, body: unknown) =>
  client.raw('PATCH', '/v1/account', JSON.stringify(body), { 'content-type': 'application/json' });

async function accountWithKey(name: string, scopes: ApiScopeName[]): Promise<{ id: string; client: GatewayClient }> {
  const account = await operator.post('/v1/accounts', { name });
  const key = await operator.post('/v1/api-keys', { name, scopes, accountId: account.body.id });

  return { id: account.body.id, client: new GatewayClient(gateway.url, { authorization: `Bearer ${key.body.key}` }) };
}

const storedMessages = async (): Promise<number> =>
  Number(
    (
      await gateway.app
        .get<symbol, DataSource>(INTAKE_DATA_SOURCE)
        .query<{ n: number }[]>('SELECT COUNT(*) AS n FROM sms_messages')
    )[0]?.n,
  );

beforeAll(async () => {
  // A 1,000-message batch of one account must fit its per-second rate and the pumping guard's ranges.
  gateway = await startEmbeddedGateway({ LIMITS_MESSAGES_PER_SECOND: '5000', PUMPING_SEQUENTIAL_RECIPIENTS: '5000' });
  operator = new GatewayClient(gateway.url, gateway.auth);
  acme = await accountWithKey('Acme', ['send', 'read', 'admin']);
  globex = await accountWithKey('Globex', ['send', 'read', 'admin']);
});

afterAll(async () => {
  await gateway?.close();
});

describe('smart encoding', () => {
  it('replaces look-alikes when a send asks, and shows the body as sent and the segments saved', async () => {
    const sent = await acme.client.post('/v1/messages', { to: mobile(), body: CURLY, smartEncoding: true });

    expect(CURLY).toHaveLength(78);
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      body: PLAIN,
      encoding: 'GSM-7',
      segments: 1,
      segmentsSaved: 1,
    });
    const stored = await acme.client.get(`/v1/messages/${sent.body.id}`);
    expect(stored.body).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it("follows the account's default, which a send may turn off, and which is the account's alone", async () => {
    expect((await acme.client.get('/v1/account')).body.smartEncoding).toBe(false);
    const set = await acme.client.patch('/v1/account', { smartEncoding: true });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: acme.id, smartEncoding: true });

    const byDefault = await acme.client.post('/v1/messages', { to: mobile(), body: CURLY });
    expect(byDefault.body).toMatchObject({ encoding: 'GSM-7', segmentsSaved: 1 });
    const off = await acme.client.post('/v1/messages', { to: mobile(), body: CURLY, smartEncoding: false });
    expect(off.body).toMatchObject({ body: CURLY, encoding: 'UCS-2', segments: 2, segmentsSaved: 0 });
    // Globex's default is untouched by Acme's.
    expect((await globex.client.get('/v1/account')).body.smartEncoding).toBe(false);
    const other = await globex.client.post('/v1/messages', { to: mobile(), body: CURLY });
    expect(other.body).toMatchObject({ encoding: 'UCS-2', segmentsSaved: 0 });

    await acme.client.patch('/v1/account', { smartEncoding: false });
  });

  it.each<[string, () => Promise<{ status: number; body: unknown }>, string, string]>([
    [
      'a send with a non-boolean smartEncoding',
      () => acme.client.rawPost('/v1/messages', { to: mobile(), body: 'x', smartEncoding: 'yes' }),
      'INVALID_SMART_ENCODING',
      'smartEncoding',
    ],
    [
      'account settings with a non-boolean smartEncoding',
      () => patchOffContract(acme.client, { smartEncoding: 1 }),
      'INVALID_SMART_ENCODING',
      'smartEncoding',
    ],
    [
      'account settings with an unknown field',
      () => patchOffContract(acme.client, { name: 'renamed' }),
      'UNKNOWN_FIELD',
      'name',
    ],
  ])('refuses %s with 422', async (_name, call, code, field) => {
    const answer = await call();

    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String), field } });
  });

  it('lets only an admin key change the account settings', async () => {
    const sender = await operator.post('/v1/api-keys', {
      name: 'sender',
      scopes: ['send'],
      accountId: acme.id,
    });
    const client = new GatewayClient(gateway.url, { authorization: `Bearer ${sender.body.key}` });

    expect((await client.patch('/v1/account', { smartEncoding: true })).status).toBe(403);
  });
});

describe('batches', () => {
  it('answers every item in order: accepted with its id, or the error a single send gives', async () => {
    const to = mobile();
    // Items 1-4 are refused on purpose (one is not even an object): the request is off the contract.
    const answer = await acme.client.rawPost<BatchResponse>('/v1/messages/batch', {
      defaults: { smartEncoding: true, messageClass: 'transactional' },
      messages: [
        { to, body: CURLY, clientReference: 'a-1' },
        { to: '+4412', body: 'bad number' },
        { to: mobile(), body: '' },
        'not an object',
        { to: mobile(), body: 'unknown field', priority: 'high' },
        { to: mobile(), body: 'no smart encoding here', smartEncoding: false, clientReference: 'a-6' },
      ],
    });

    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(2);
    expect(answer.body.refused).toBe(4);
    expect(answer.body.results.map((r) => [r.index, r.status, r.error?.code ?? r.message?.clientReference])).toEqual([
      [0, 202, 'a-1'],
      [1, 422, 'INVALID_PHONE_NUMBER'],
      [2, 422, 'BODY_EMPTY'],
      [3, 422, 'INVALID_REQUEST'],
      [4, 422, 'UNKNOWN_FIELD'],
      [5, 202, 'a-6'],
    ]);
    expect(answer.body.results[0]?.message).toMatchObject({ to, encoding: 'GSM-7', segmentsSaved: 1 });
    const first = answer.body.results[0]?.message?.id ?? '';
    const delivered = await acme.client.waitForMessage(first, (m) => m.status === 'delivered');
    expect(delivered.status).toBe('delivered');
    // Another account's key does not see it.
    expect((await globex.client.get(`/v1/messages/${first}`)).status).toBe(404);
  });

  it('accepts 1,000 messages in one request over the 64 KB of a single send, written together', async () => {
    const before = await storedMessages();
    const messages = Array.from({ length: 1000 }, (_, n) => ({
      to: mobile(),
      body: `Batch message ${n}: your appointment is confirmed for tomorrow at 10:00.`,
      clientReference: `bulk-${n}`,
    }));
    const payload = JSON.stringify({ messages });
    expect(payload.length).toBeGreaterThan(64 * 1024);

    const answer = await acme.client.post('/v1/messages/batch', { messages });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 1000, refused: 0 });
    expect(answer.body.results.map((r) => r.message?.clientReference)).toEqual(messages.map((m) => m.clientReference));
    expect(await storedMessages()).toBe(before + 1000);
  });

  it('replays an item whose idempotencyKey was used, and refuses that key with another body', async () => {
    const item = { to: mobile(), body: 'idempotent item', idempotencyKey: `item-${randomInt(1e9)}` };
    const first = await acme.client.post('/v1/messages/batch', { messages: [item] });
    const again = await acme.client.post('/v1/messages/batch', {
      messages: [item, { ...item, body: 'another body' }],
    });

    expect(first.body.results[0]).toMatchObject({ status: 202 });
    expect(again.body.results[0]).toMatchObject({ status: 202, replayed: true });
    expect(again.body.results[0]?.message?.id).toBe(first.body.results[0]?.message?.id);
    expect(again.body.results[1]).toMatchObject({ status: 422, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(again.body.accepted).toBe(0);
  });

  it('refuses an Idempotency-Key header, which a batch cannot honour, storing nothing', async () => {
    const before = await storedMessages();
    const answer = await acme.client.post(
      '/v1/messages/batch',
      { messages: [{ to: mobile(), body: 'x' }] },
      { 'idempotency-key': 'whole-batch' },
    );

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_NOT_SUPPORTED' } });
    expect(await storedMessages()).toBe(before);
  });

  it("counts against the account's quotas item by item", async () => {
    const limited = await accountWithKey('Limited', ['send', 'read', 'admin']);
    const limits = await operator.put(`/v1/accounts/${limited.id}/limits`, { messagesPerDay: 3 });
    expect(limits.status).toBe(200);

    const answer = await limited.client.post('/v1/messages/batch', {
      messages: Array.from({ length: 5 }, () => ({ to: mobile(), body: 'quota' })),
    });

    expect(answer.body.results.map((r) => r.error?.code ?? r.status)).toEqual([
      202,
      202,
      202,
      'DAILY_LIMIT_REACHED',
      'DAILY_LIMIT_REACHED',
    ]);
    expect(answer.body.results[3]?.status).toBe(429);
  });

  it.each<[string, unknown, number, string]>([
    ['not an object', [], 422, 'INVALID_REQUEST'],
    ['without messages', { defaults: {} }, 422, 'INVALID_BATCH'],
    ['with no message', { messages: [] }, 422, 'INVALID_BATCH'],
    [
      'over 1,000 messages',
      { messages: Array.from({ length: 1001 }, () => ({ to: '+447400123456', body: 'x' })) },
      422,
      'BATCH_TOO_LARGE',
    ],
    ['with an unknown field', { messages: [{ to: '+447400123456', body: 'x' }], when: 'now' }, 422, 'UNKNOWN_FIELD'],
    [
      'with a per-message field in defaults',
      { messages: [{ to: '+447400123456' }], defaults: { body: 'x' } },
      422,
      'INVALID_BATCH_DEFAULTS',
    ],
  ])('refuses a batch %s, storing nothing', async (_name, body, status, code) => {
    const before = await storedMessages();
    const answer = await acme.client.rawPost('/v1/messages/batch', body);

    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error: { code } });
    expect(await storedMessages()).toBe(before);
  });
});

describe('quotes', () => {
  it('tells country, number type, encoding, segments, route and total without storing or sending', async () => {
    const before = await storedMessages();
    const answer = await acme.client.post('/v1/messages/quote', {
      to: '+447400123456',
      body: CURLY,
      smartEncoding: true,
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      to: '+447400123456',
      country: 'GB',
      numberType: 'mobile',
      encoding: 'GSM-7',
      segments: 1,
      segmentsSaved: 1,
      optedOut: false,
      route: { decision: 'route', chosen: { provider: expect.any(String), price: expect.any(String) } },
    });
    const { chosen } = answer.body.route;
    expect(answer.body.total).toBe(chosen?.price.replace(/0+$/, '').replace(/\.$/, ''));
    expect(answer.body.currency).toBe(chosen?.currency);
    expect(await storedMessages()).toBe(before);
  });

  it('multiplies the price by the segments', async () => {
    const answer = await acme.client.post('/v1/messages/quote', { to: '+14155552671', body: 'x'.repeat(400) });

    expect(answer.body.segments).toBe(3);
    expect(Number(answer.body.total)).toBeCloseTo(Number(answer.body.route.chosen?.price) * 3, 6);
  });

  it("says the recipient opted out of the caller's account, not of another's", async () => {
    const number = mobile();
    expect((await acme.client.post('/v1/opt-outs', { number })).status).toBe(201);

    // The opt-out reaches intake's replica through the bus: give it a moment.
    let own = await acme.client.post('/v1/messages/quote', { to: number, body: 'hi' });
    for (let tries = 0; tries < 50 && !own.body.optedOut; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      own = await acme.client.post('/v1/messages/quote', { to: number, body: 'hi' });
    }
    const other = await globex.client.post('/v1/messages/quote', { to: number, body: 'hi' });

    expect(own.body.optedOut).toBe(true);
    expect(other.body.optedOut).toBe(false);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a bad number', { to: '+4412', body: 'x' }, 'INVALID_PHONE_NUMBER'],
    ['no body', { to: '+447400123456' }, 'BODY_EMPTY'],
    ['a bad smartEncoding', { to: '+447400123456', body: 'x', smartEncoding: 'on' }, 'INVALID_SMART_ENCODING'],
    ['an unknown field', { to: '+447400123456', body: 'x', dryRun: true }, 'UNKNOWN_FIELD'],
  ])('answers %s with the 422 a send would get', async (_name, body, code) => {
    const answer = await acme.client.rawPost('/v1/messages/quote', body);

    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: { code } });
  });
});

describe('the batch body limit', () => {
  // Last in the file: the server answers before the client has sent the whole body, which leaves the
  // client's pooled connection unusable for the requests after it.
  it('refuses a body over the batch limit with 413', async () => {
    const answer = await acme.client.raw('POST', '/v1/messages/batch', 'x'.repeat(9 * 1024 * 1024), {
      'content-type': 'application/json',
    });

    expect(answer.status).toBe(413);
  });
});
