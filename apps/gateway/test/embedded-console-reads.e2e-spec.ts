/**
 * The console's reads in the embedded mode, end to end (docs/api.md "Console reads"): a delivered message's
 * timeline with its attempt, route, raw receipt and callback; the overview; conversations and their threads;
 * provider health; bad input refused with stable codes; another account seeing none of it.
 */
import { CallbackReceiver, GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { inbound, waitFor } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

/**
 * The conversation pages, typed by hand: their paths also match the client's `/v1/inbound/{id}` template, so
 * the typed client cannot tell which answer a path gets.
 */
interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}
interface Thread {
  readonly ourNumber: string;
  readonly theirNumber: string;
  readonly inbound: number;
  readonly outbound: number;
  readonly masked: boolean;
}
interface ThreadMessage {
  readonly direction: string;
  readonly body: string;
  readonly status: string;
}

/** A router seed number of the shared pool (the default account's inbound). */
const POOL_NUMBER = '+12025550142';

describe('embedded gateway: console reads', () => {
  let gateway: EmbeddedGateway;
  let own: GatewayClient;
  let other: GatewayClient;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway({ CALLBACK_ALLOW_INSECURE: 'true' });
    receiver = await new CallbackReceiver().start();
    own = new GatewayClient(gateway.url, gateway.auth);
    const account = await own.post('/v1/accounts', { name: 'Initech' });
    const key = await own.post('/v1/api-keys', {
      name: 'initech',
      scopes: ['send', 'read'],
      accountId: account.body.id,
    });
    other = new GatewayClient(gateway.url, { authorization: `Bearer ${key.body.key}` });
  });

  afterAll(async () => {
    await receiver?.stop();
    await gateway?.close();
  });

  describe('GET /v1/messages/:id/timeline', () => {
    let id: string;

    beforeAll(async () => {
      const sent = await own.post('/v1/messages', {
        to: '+447400123456',
        body: 'timeline body',
        callbackUrl: receiver.url('/status'),
      });
      expect(sent.status).toBe(202);
      id = sent.body.id;
      await own.waitForMessage(id, (m) => m.status === 'delivered');
      await receiver.waitFor((callback) => JSON.stringify(callback.body).includes('delivered'));
    });

    it('shows the body, every event, the attempt, the route, the raw receipt and the callbacks', async () => {
      const timeline = await waitFor('a settled callback and a receipt in the timeline', async () => {
        const answer = await own.get(`/v1/messages/${id}/timeline`);
        expect(answer.status).toBe(200);
        const body = answer.body;

        return body.callbacks.some((c) => c.state === 'delivered' && c.settledAt !== null) && body.receipts.length > 0
          ? body
          : null;
      });

      expect(timeline.message).toMatchObject({ id, body: 'timeline body', status: 'delivered', to: '+447400123456' });
      expect(timeline.events.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'sent', 'delivered']));
      const delivered = timeline.events.find((e) => e.status === 'delivered');
      expect(delivered).toMatchObject({ source: 'dlr', applied: true });

      expect(timeline.attempts).toHaveLength(1);
      const [attempt] = timeline.attempts;
      expect(attempt).toMatchObject({
        attempt: 1,
        outcome: 'sent',
        provider: timeline.message.provider,
        sender: timeline.message.from,
        providerMessageId: timeline.message.providerMessageId,
        errorCode: null,
      });
      expect(attempt?.providerMessageId).toEqual(expect.any(String));
      expect(Date.parse(attempt?.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(attempt?.answeredAt ?? ''));

      expect(timeline.route).toEqual({
        provider: timeline.message.provider,
        sender: timeline.message.from,
        reason: timeline.message.routeReason,
      });
      expect(timeline.route?.reason).toEqual(expect.any(String));

      const [receipt] = timeline.receipts;
      expect(receipt).toMatchObject({ provider: timeline.message.provider, verified: true });
      // As the provider sent it: the body names the provider's id of the message.
      expect(receipt?.body).toContain(String(timeline.message.providerMessageId));
      for (const [name, value] of Object.entries(receipt?.headers ?? {})) {
        if (['authorization', 'cookie', 'proxy-authorization', 'x-api-key'].includes(name.toLowerCase())) {
          expect(value).toBe('[redacted]');
        }
      }

      expect(timeline.callbacks[0]).toMatchObject({ url: receiver.url('/status'), lastStatusCode: 204 });
      expect(timeline.unavailable).toEqual([]);
    });

    it("is 404 for another account's message, an unknown id and a malformed id", async () => {
      for (const path of [`/v1/messages/${id}/timeline`] as const) {
        const answer = await other.get(path);
        expect(answer.status).toBe(404);
        expect(answer.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
      expect((await own.get('/v1/messages/01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9/timeline')).status).toBe(404);
      expect((await own.get('/v1/messages/not-an-id/timeline')).status).toBe(404);
    });
  });

  describe('GET /v1/stats/overview', () => {
    it("counts the account's messages per minute and per route, with spend and alerts", async () => {
      const sent = await own.post('/v1/messages', { to: '+447400123457', body: 'overview' });
      await own.waitForMessage(sent.body.id, (m) => m.status === 'delivered');

      const answer = await own.get('/v1/stats/overview?minutes=10');

      expect(answer.status).toBe(200);
      const body = answer.body;
      expect(body.minutes).toBe(10);
      const total = body.perMinute.reduce((sum, m) => sum + Object.values(m.counts).reduce((a, b) => a + b, 0), 0);
      expect(total).toBeGreaterThanOrEqual(1);
      const gb = body.routes.filter((r) => r.country === 'GB');
      expect(gb.reduce((sum, r) => sum + r.delivered, 0)).toBeGreaterThanOrEqual(1);
      for (const route of gb) {
        expect(route.deliveryRate).toBeCloseTo(route.delivered / route.sent);
      }
      expect(body.spendToday.currency).toBe('USD');
      expect(Number(body.spendToday.amount)).toBeGreaterThan(0);
      expect(Array.isArray(body.alerts)).toBe(true);
      expect(body.sampled).toBe(false);
    });

    it('counts nothing of another account', async () => {
      const answer = await other.get('/v1/stats/overview');

      expect(answer.status).toBe(200);
      expect(answer.body.perMinute).toEqual([]);
      expect(answer.body.routes).toEqual([]);
    });

    it.each([
      ['minutes=0', 'INVALID_MINUTES'],
      ['minutes=1441', 'INVALID_MINUTES'],
      ['minutes=abc', 'INVALID_MINUTES'],
      ['window=5', 'UNKNOWN_PARAMETER'],
    ])('refuses %s with %s', async (query, code) => {
      const answer = await own.rawGet(`/v1/stats/overview?${query}`);

      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ error: { code } });
    });
  });

  describe('GET /v1/inbound/conversations', () => {
    const alice = '+447400111001';
    const bob = '+447400111002';

    beforeAll(async () => {
      const sim = new GatewayClient(gateway.url, gateway.auth);
      await inbound(sim, gateway.url, alice, POOL_NUMBER, 'hello from alice');
      await inbound(sim, gateway.url, bob, POOL_NUMBER, 'hello from bob');
      await waitFor('both inbound messages filed', async () => {
        const answer = await own.get(`/v1/inbound?to=${encodeURIComponent(POOL_NUMBER)}`);

        return answer.body.data.length >= 2;
      });
      const reply = await own.post('/v1/messages', { to: alice, from: POOL_NUMBER, body: 'hi alice' });
      expect(reply.status).toBe(202);
    });

    it('lists one thread per pair, newest first, a page at a time', async () => {
      const first = await own.rawGet<Page<Thread>>('/v1/inbound/conversations?limit=1');
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(1);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await own.rawGet<Page<Thread>>(
        `/v1/inbound/conversations?limit=1&cursor=${encodeURIComponent(String(first.body.nextCursor))}`,
      );
      expect(second.status).toBe(200);
      const threads = [...first.body.data, ...second.body.data];

      expect(threads.map((t) => t.theirNumber)).toEqual([bob, alice]);
      expect(threads.find((t) => t.theirNumber === alice)).toMatchObject({
        ourNumber: POOL_NUMBER,
        inbound: 1,
        outbound: 1,
        masked: false,
      });
    });

    it('shows both directions of a thread, newest first', async () => {
      const answer = await own.rawGet<Page<ThreadMessage>>(
        `/v1/inbound/conversations/messages?ourNumber=${encodeURIComponent(POOL_NUMBER)}&theirNumber=${encodeURIComponent(alice)}`,
      );

      expect(answer.status).toBe(200);
      expect(answer.body.data.map((m) => [m.direction, m.body])).toEqual([
        ['outbound', 'hi alice'],
        ['inbound', 'hello from alice'],
      ]);
      expect(answer.body.data[1]?.status).toBe('received');
    });

    it("shows another account none of the account's threads", async () => {
      expect((await other.rawGet<Page<Thread>>('/v1/inbound/conversations')).body.data).toEqual([]);
      const thread = await other.rawGet<Page<ThreadMessage>>(
        `/v1/inbound/conversations/messages?ourNumber=${encodeURIComponent(POOL_NUMBER)}&theirNumber=${encodeURIComponent(alice)}`,
      );
      expect(thread.body.data).toEqual([]);
    });

    it.each([
      ['/v1/inbound/conversations?limit=0', 'INVALID_LIMIT'],
      ['/v1/inbound/conversations?limit=201', 'INVALID_LIMIT'],
      ['/v1/inbound/conversations?cursor=nope', 'INVALID_CURSOR'],
      ['/v1/inbound/conversations?to=1', 'UNKNOWN_PARAMETER'],
      [`/v1/inbound/conversations/messages?ourNumber=${encodeURIComponent(POOL_NUMBER)}`, 'MISSING_PARAMETER'],
      ['/v1/inbound/conversations/messages?ourNumber=12&theirNumber=%2B447400111001', 'INVALID_PHONE_NUMBER'],
    ])('refuses %s with %s', async (path, code) => {
      const answer = await own.rawGet(path);

      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ error: { code } });
    });
  });

  describe('GET /v1/providers/health', () => {
    it("answers each provider's points to a read key", async () => {
      const answer = await other.get('/v1/providers/health?minutes=5');

      expect(answer.status).toBe(200);
      expect(answer.body.data.length).toBeGreaterThan(0);
      for (const series of answer.body.data) {
        expect(series.points.length).toBeGreaterThan(0);
        expect(['open', 'closed']).toContain(series.points.at(-1)?.circuit);
      }
    });

    it('refuses a bad window', async () => {
      const answer = await own.rawGet('/v1/providers/health?minutes=-1');

      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ error: { code: 'INVALID_MINUTES' } });
    });
  });
});
