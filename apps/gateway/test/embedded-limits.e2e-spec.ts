/**
 * Account limits end to end in the embedded gateway (docs/limits.md): the limits API with its scopes,
 * and admission over HTTP (429 with Retry-After, 422 permission codes) and over sms.send.v1 (the same
 * codes as refusals on sms.status.v1).
 */
import { AccountService, ApiKeyService, ApiScope } from '@sms/auth';
import type { Bus, ConsumedRecord } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, TOPICS } from '@sms/contracts';
import { type KeyValueStore, parsePriceBook, priceBookKey } from '@sms/counters';
import { APP_CONFIG, type AppConfig, BUS, KV_STORE } from '@sms/platform';
import { errorOf, GatewayClient } from '@sms/testing';
import { randomUUID } from 'node:crypto';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

const LIMITS = `/v1/accounts/${DEFAULT_ACCOUNT_ID}/limits`;
const OTHER_ACCOUNT = '99999999-9999-4999-8999-999999999999';
const METRICS_TOKEN = 'metrics-token-for-the-limits-suite';
const PREMIUM_RATE_GB = '+449098790000';
const SHARED_COST_FR = '+33810123456';
const AZERBAIJAN_MOBILE = '+994501234567';

let gateway: EmbeddedGateway;
let operator: GatewayClient;
const refusals = new Map<string, { errorCode: string; kind: string }>();

async function keyClient(name: string, scopes: ApiScope[]): Promise<{ client: GatewayClient; id: string }> {
  const { key, view } = await gateway.app.get(ApiKeyService).create(name, scopes);

  return { client: new GatewayClient(gateway.url, { authorization: `Bearer ${key}` }), id: view.id };
}

/** A PUT of a body off the contract on purpose (refused input): the typed client would not compile it. */
async function rawPut(client: GatewayClient, path: string, body: unknown) {
  return client.raw('PUT', path, JSON.stringify(body), { 'content-type': 'application/json' });
}

beforeAll(async () => {
  // A low sequential threshold so the pumping guard can be shown with a handful of messages; every other
  // test sends to numbers in ranges of their own.
  gateway = await startEmbeddedGateway({ PUMPING_SEQUENTIAL_RECIPIENTS: '4', METRICS_TOKEN });
  operator = new GatewayClient(gateway.url, gateway.auth);
  await gateway.app.get(AccountService).create('limits-other', OTHER_ACCOUNT);
  await gateway.app.get<symbol, Bus>(BUS).subscribe({
    groupId: 'limits-e2e-observer',
    topics: [TOPICS.status],
    handler: async (record: ConsumedRecord) => {
      const value = record.value as { messageId: string; errorCode: string; kind: string };
      if (value.kind === 'refused') {
        refusals.set(value.messageId, value);
      }
    },
  });
});

afterAll(async () => {
  await gateway?.close();
});

async function waitForRefusal(id: string): Promise<{ errorCode: string; kind: string } | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !refusals.has(id)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return refusals.get(id);
}

describe('the limits API', () => {
  it('shows the configured defaults for an account without limits of its own', async () => {
    const answer = await operator.get(`/v1/accounts/${OTHER_ACCOUNT}/limits`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accountId: OTHER_ACCOUNT,
      source: 'default',
      currency: 'USD',
      limits: { messagesPerSecond: 200, spendPerDay: '250', allowedCountries: '*' },
      keys: [],
    });
    expect(answer.body.limits.blockedCountries).toContain('AZ');
    expect(answer.body.limits.numberTypes).not.toContain('PREMIUM_RATE');
  });

  it('lets an operator set any account limits, and answers 422 with a stable code for a bad one', async () => {
    const set = await operator.put(`/v1/accounts/${OTHER_ACCOUNT}/limits`, {
      messagesPerDay: 10,
      spendPerDay: '5.50',
    });

    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ source: 'account', limits: { messagesPerDay: 10, spendPerDay: '5.5' } });
    expect((await operator.get(`/v1/accounts/${OTHER_ACCOUNT}/limits`)).body).toMatchObject({
      limits: { messagesPerDay: 10 },
    });
    const bad = await rawPut(operator, `/v1/accounts/${OTHER_ACCOUNT}/limits`, { messagesPerDay: -1 });
    expect([bad.status, bad.body]).toEqual([
      422,
      { error: expect.objectContaining({ code: 'INVALID_LIMIT', field: 'messagesPerDay' }) },
    ]);
    const country = await operator.put(`/v1/accounts/${OTHER_ACCOUNT}/limits`, { allowedCountries: ['ZZ'] });
    expect(errorOf(country).code).toBe('INVALID_COUNTRY');
    expect((await operator.delete(`/v1/accounts/${OTHER_ACCOUNT}/limits`)).status).toBe(204);
    expect((await operator.get(`/v1/accounts/${OTHER_ACCOUNT}/limits`)).body).toMatchObject({ source: 'default' });
    expect((await operator.get('/v1/accounts/not-a-uuid/limits')).status).toBe(404);
  });

  it("lets an account's admin read and lower its own limits, never raise them or touch another account's", async () => {
    const { client: admin } = await keyClient('limits-admin', [ApiScope.Admin]);
    const { client: sender } = await keyClient('limits-sender', [ApiScope.Send]);
    expect((await operator.put(LIMITS, { messagesPerSecond: 50 })).status).toBe(200);

    expect((await admin.get(LIMITS)).status).toBe(200);
    const lowered = await admin.put(LIMITS, { messagesPerSecond: 40 });
    expect([lowered.status, lowered.body.limits]).toEqual([200, expect.objectContaining({ messagesPerSecond: 40 })]);
    const raised = await admin.put(LIMITS, { messagesPerSecond: 45 });
    expect([raised.status, errorOf(raised).code]).toEqual([403, 'LIMIT_RAISE_FORBIDDEN']);
    const widened = await admin.put(LIMITS, { messagesPerSecond: 40, blockedCountries: [] });
    expect(errorOf(widened).code).toBe('LIMIT_RAISE_FORBIDDEN');
    expect((await admin.raw('DELETE', LIMITS)).status).toBe(403);
    expect((await admin.get(`/v1/accounts/${OTHER_ACCOUNT}/limits`)).status).toBe(404);
    expect((await sender.get(LIMITS)).status).toBe(403);
    expect((await operator.put(LIMITS, {})).status).toBe(200);
  });
});

describe('admission over HTTP', () => {
  it('answers 429 RATE_LIMITED with Retry-After over the per-second rate', async () => {
    const { client, id } = await keyClient('limits-rate', [ApiScope.Send]);
    expect((await operator.put(`${LIMITS}/keys/${id}`, { messagesPerSecond: 2 })).status).toBe(200);
    const started = Date.now();
    // One recipient: repeats are no pumping burst.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => client.post('/v1/messages', { to: '+12025552000', body: 'rate' })),
    );
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    const limited = answers.filter((a) => a.status === 429);

    expect(answers.filter((a) => a.status === 202).length).toBeLessThanOrEqual(2 * seconds);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length + answers.filter((a) => a.status === 202).length).toBe(20);
    for (const answer of limited) {
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(errorOf(answer).code).toBe('RATE_LIMITED');
    }
  });

  it("answers 429 DAILY_LIMIT_REACHED for a key over its own day's limit, with Retry-After to midnight UTC", async () => {
    const { client, id } = await keyClient('limits-daily', [ApiScope.Send]);
    await operator.put(`${LIMITS}/keys/${id}`, { messagesPerDay: 2 });
    const first = await client.post('/v1/messages', { to: '+12025553001', body: 'one' });
    const second = await client.post('/v1/messages', { to: '+12025553001', body: 'two' });
    const third = await client.post('/v1/messages', { to: '+12025553001', body: 'three' });

    expect([first.status, second.status, third.status]).toEqual([202, 202, 429]);
    expect(errorOf(third).code).toBe('DAILY_LIMIT_REACHED');
    const retryAfter = Number(third.headers.get('retry-after'));
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(Math.abs(retryAfter - (midnight.getTime() - Date.now()) / 1000)).toBeLessThan(5);
    // The key's limit is its own: the account's other keys still send.
    expect((await operator.post('/v1/messages', { to: '+12025553001', body: 'four' })).status).toBe(202);
  });

  it('answers 429 SPEND_CAP_REACHED when the priced message would pass the cap', async () => {
    const { client, id } = await keyClient('limits-spend', [ApiScope.Send]);
    // A UK segment is priced at the highest UK rate of the seeded pool, 0.045.
    await operator.put(`${LIMITS}/keys/${id}`, { spendPerDay: '0.10' });
    const answers = [];
    for (const to of ['+447400200001', '+447400200002', '+447400200003']) {
      answers.push(await client.post('/v1/messages', { to, body: 'spend' }));
    }

    expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
    expect(errorOf(answers[2]!).code).toBe('SPEND_CAP_REACHED');
  });

  it('refuses premium-rate and shared-cost numbers and pumping-risk countries with 422 codes', async () => {
    const premium = await operator.post('/v1/messages', { to: PREMIUM_RATE_GB, body: 'win a prize' });
    const shared = await operator.post('/v1/messages', { to: SHARED_COST_FR, body: 'hello' });
    const country = await operator.post('/v1/messages', { to: AZERBAIJAN_MOBILE, body: 'hello' });

    expect([premium.status, premium.body]).toEqual([
      422,
      { error: expect.objectContaining({ code: 'NUMBER_TYPE_NOT_PERMITTED', field: 'to' }) },
    ]);
    expect(errorOf(shared).code).toBe('NUMBER_TYPE_NOT_PERMITTED');
    expect([country.status, errorOf(country).code]).toEqual([422, 'COUNTRY_NOT_PERMITTED']);
  });

  it('blocks a burst to neighbouring numbers with 429 PUMPING_SUSPECTED and counts it in /metrics', async () => {
    const statuses: number[] = [];
    let blocked: Awaited<ReturnType<GatewayClient['post']>> | undefined;
    for (let n = 0; n < 5; n++) {
      const answer = await operator.post('/v1/messages', { to: `+4474009000${10 + n}`, body: 'code 1234' });
      statuses.push(answer.status);
      blocked = answer.status === 429 ? answer : blocked;
    }

    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(errorOf(blocked!).code).toBe('PUMPING_SUSPECTED');
    expect(Number(blocked?.headers.get('retry-after'))).toBeGreaterThan(3000);
    const scrape = await (
      await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(scrape).toMatch(/sms_pumping_blocks_total\{reason="sequential",country="GB"\} 1/);
    expect(scrape).toMatch(/sms_limit_refusals_total\{code="PUMPING_SUSPECTED",path="rest"\} 2/);
  });
});

describe('admission over sms.send.v1', () => {
  const publish = async (value: Record<string, unknown>): Promise<void> => {
    await gateway.app.get<symbol, Bus>(BUS).publish([{ topic: TOPICS.send, key: String(value['id']), value }]);
  };

  it('answers a refused record on sms.status.v1 with the same code as the REST API', async () => {
    const premium = randomUUID();
    const country = randomUUID();
    await publish({ id: premium, to: PREMIUM_RATE_GB, body: 'prize', accountId: DEFAULT_ACCOUNT_ID });
    await publish({ id: country, to: AZERBAIJAN_MOBILE, body: 'hello', accountId: DEFAULT_ACCOUNT_ID });

    expect(await waitForRefusal(premium)).toMatchObject({ kind: 'refused', errorCode: 'NUMBER_TYPE_NOT_PERMITTED' });
    expect(await waitForRefusal(country)).toMatchObject({ kind: 'refused', errorCode: 'COUNTRY_NOT_PERMITTED' });
  });

  it("counts records against their account's limits and refuses over them with 429 codes", async () => {
    await operator.put(`/v1/accounts/${OTHER_ACCOUNT}/limits`, { messagesPerDay: 1 });
    const { key } = await gateway.app
      .get(ApiKeyService)
      .create('limits-other-reader', [ApiScope.Read], { accountId: OTHER_ACCOUNT });
    const otherSender = new GatewayClient(gateway.url, { authorization: `Bearer ${key}` });
    const first = randomUUID();
    const second = randomUUID();
    await publish({ id: first, to: '+12025554001', body: 'one', accountId: OTHER_ACCOUNT });
    await otherSender.waitForMessage(first, (m) => m.status !== undefined);
    await publish({ id: second, to: '+12025554002', body: 'two', accountId: OTHER_ACCOUNT });

    expect(await waitForRefusal(second)).toMatchObject({ errorCode: 'DAILY_LIMIT_REACHED' });
    expect(refusals.has(first)).toBe(false);
    expect((await otherSender.get(`/v1/messages/${first}`)).status).toBe(200);
    const bad = randomUUID();
    await publish({ id: bad, to: '+12025554003', body: 'x', accountId: 'not-an-account' });
    expect(await waitForRefusal(bad)).toMatchObject({ errorCode: 'ACCOUNT_REQUIRED' });
  });
});

describe("the router's price book", () => {
  it('is republished as soon as an operator changes a rate', async () => {
    const kv = gateway.app.get<symbol, KeyValueStore>(KV_STORE);
    const key = priceBookKey(gateway.app.get<symbol, AppConfig>(APP_CONFIG).redis.keyPrefix);
    const gbPrice = async (): Promise<number | undefined> =>
      parsePriceBook(await kv.get(key))?.maxPerSegmentMicros['USD']?.['GB'];
    expect(await gbPrice()).toBe(45_000);

    const created = await operator.post('/v1/routes', {
      provider: 'twilio',
      country: 'GB',
      prefix: '447400',
      price: '0.2000',
    });
    expect(created.status).toBe(201);
    expect(await gbPrice()).toBe(200_000);
    expect((await operator.raw('DELETE', `/v1/routes/${String(created.body['id'])}`)).status).toBe(204);
    expect(await gbPrice()).toBe(45_000);
  });
});
