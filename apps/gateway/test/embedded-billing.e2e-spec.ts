import { GatewayClient, isFinalMessage, type MessageBody } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

/**
 * The cost ledger end to end in embedded mode (docs/billing.md): a receipt-driven fallback bills both
 * attempts, a multipart message is billed per segment, and GET /v1/usage sums what the messages show.
 * Great Britain routes to Twilio first (the seed's cheapest).
 */
const json = { 'content-type': 'application/json' };

jest.setTimeout(120_000);

describe('embedded gateway: charges and usage', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;
  const from = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
  });

  afterAll(async () => {
    await gateway.close();
  });

  beforeEach(async () => {
    await client.raw('POST', '/sim/reset');
    for (const provider of ['twilio', 'vonage']) {
      await client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify({ dlrDelayMs: 20 }), json);
    }
  });

  const send = async (body: string, to = '+447400123456'): Promise<string> => {
    const accepted = await client.post('/v1/messages', { to, body });
    expect(accepted.status).toBe(202);

    return (accepted.body as { id: string }).id;
  };

  it('bills both attempts when a receipt failure sends the message again through another provider', async () => {
    // Twilio accepts every message, then reports it failed. The simulator's `failed` codes (30001 queue
    // overflow, 30036 validity period expired) are both transient, so every message earns the receipt-driven
    // fallback through the next route (SMPP or Vonage in the seed), which delivers. (Its `undelivered` codes
    // are drawn from one transient and three permanent ones: a handful of messages can all draw permanent.)
    await client.raw(
      'PUT',
      '/sim/knobs/twilio',
      JSON.stringify({ dlrDelayMs: 20, dlrOutcomes: { delivered: 0, undelivered: 0, failed: 1 } }),
      json,
    );
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) => send(`Your code is ${100000 + i}`, `+4474001234${10 + i}`)),
    );
    const finals = await Promise.all(ids.map((id) => client.waitForMessage(id, isFinalMessage, 40_000)));
    const fallen = finals.filter((message) => message.charges.length > 1);
    expect(fallen).toHaveLength(finals.length);

    for (const message of finals) {
      // The first attempt was accepted by Twilio: it is billed whatever came after.
      expect(message.charges[0]).toMatchObject({ attempt: 1, provider: 'twilio', segments: 1, country: 'GB' });
    }
    for (const message of fallen) {
      expect(message.status).toBe('delivered');
      const [first, second] = message.charges;
      expect(message.charges).toHaveLength(2);
      expect([first?.attempt, first?.provider, second?.attempt]).toEqual([1, 'twilio', 2]);
      // The fallback avoids the provider whose receipt failed.
      expect(second?.provider).not.toBe('twilio');
      // Twilio's answer has no price: the route's rate is the estimate.
      expect(first).toMatchObject({ amount: '0.04', source: 'rate', final: false });
      expect(message.costs).toEqual(sumsOf([message]));
      expect(message.costs.length).toBe(new Set(message.charges.map((charge) => charge.currency)).size);
      // One currency: the old `cost` field is the sum of both attempts, not the second's alone.
      if (message.costs.length === 1) {
        expect(Number(message.cost)).toBe(Number(message.costs[0]?.total));
      }
    }
  });

  it('bills a multipart message per segment', async () => {
    // 200 GSM-7 characters: two segments of 153.
    const id = await send('x'.repeat(200));
    const message = await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);

    expect(message.segments).toBe(2);
    // Twilio is the seed's cheapest route, but the case before leaves Twilio's receipts failed, which may
    // lower its health enough to route this message elsewhere: the bill is per segment on any route.
    expect(message.charges).toHaveLength(1);
    const [charge] = message.charges;
    expect(charge).toMatchObject({ attempt: 1, provider: message.provider, segments: 2, source: 'rate' });
    expect(charge!.unitPrice).not.toBeNull();
    expect(micros(charge!.amount)).toBe(2n * micros(charge!.unitPrice ?? '0'));
    expect(message.costs).toEqual([{ total: charge!.amount, currency: charge!.currency }]);
    // The ledger's string for a message charged once: the rate times the segments, as search shows it.
    expect(message.cost).toBe(Number(charge!.amount).toFixed(4));
  });

  it("sums usage by provider to what the messages' charges say", async () => {
    const ids = await Promise.all([send('one'), send('two'), send('y'.repeat(200))]);
    await Promise.all(ids.map((id) => client.waitForMessage(id, isFinalMessage, 30_000)));
    const to = new Date(Date.now() + 60_000).toISOString();
    const usage = await client.get(`/v1/usage?from=${from}&to=${to}&groupBy=provider` as '/v1/usage');
    expect(usage.status).toBe(200);

    // Every message this file sent, read back one by one, against the usage the gateway summed.
    const search = await client.rawGet<{ data: { id: string }[] }>('/v1/messages?limit=1000');
    const messages = await Promise.all(
      search.body.data.map(async ({ id }) => (await client.get(`/v1/messages/${id}` as '/v1/messages/{id}')).body),
    );
    const expected = new Map<string, { provider: string; currency: string; amount: bigint; charges: number }>();
    for (const charge of messages.flatMap((message) => message.charges)) {
      const key = `${charge.provider}/${charge.currency}`;
      const sum = expected.get(key) ?? { provider: charge.provider, currency: charge.currency, amount: 0n, charges: 0 };
      expected.set(key, { ...sum, amount: sum.amount + micros(charge.amount), charges: sum.charges + 1 });
    }
    const body = usage.body as { data: { provider?: string; currency: string; amount: string; charges: number }[] };
    expect(
      body.data.map(({ provider, currency, amount, charges }) => ({
        provider,
        currency,
        amount: micros(amount),
        charges,
      })),
    ).toEqual(
      [...expected.values()].sort((a, b) => (`${a.provider}/${a.currency}` < `${b.provider}/${b.currency}` ? -1 : 1)),
    );
  });

  it('refuses a bad usage query with a stable code', async () => {
    const bad = await client.rawGet<{ error: { code: string } }>('/v1/usage?from=2026-12-02&to=2026-12-01');
    expect([bad.status, bad.body.error.code]).toEqual([422, 'INVALID_DATE_RANGE']);
    const group = await client.rawGet<{ error: { code: string } }>(
      '/v1/usage?from=2026-12-01&to=2026-12-02&groupBy=month',
    );
    expect([group.status, group.body.error.code]).toEqual([422, 'INVALID_GROUP_BY']);
  });
});

/** A decimal amount as micro-units, to compare sums exactly. */
function micros(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');

  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

function sumsOf(messages: readonly MessageBody[]): { total: string; currency: string }[] {
  const sums = new Map<string, bigint>();
  for (const charge of messages.flatMap((message) => message.charges)) {
    sums.set(charge.currency, (sums.get(charge.currency) ?? 0n) + micros(charge.amount));
  }

  return [...sums].map(([currency, total]) => ({ total: format(total), currency }));
}

function format(total: bigint): string {
  const fraction = (total % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');

  return `${total / 1_000_000n}.${fraction}`;
}
