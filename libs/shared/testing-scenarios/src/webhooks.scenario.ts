/**
 * Account webhooks end to end, the same steps in both run modes: a real HTTP receiver that checks every
 * signature with the recipe docs/webhooks.md gives receivers, two accounts that never reach each other's
 * subscriptions or deliveries, a replay, a secret rotation and an inbound message.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '@sms/api-client';
import { GatewayClient, isFinalMessage } from '@sms/testing';
import { inbound, waitFor } from './opt-out.harness';

export interface ReceivedEvent {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/** docs/webhooks.md, "Verifying a delivery": the receiver's whole check. */
export function verifySignature(secret: string, header: string | undefined, body: string, toleranceSeconds = 300) {
  const fields = new Map((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(fields.get('t'));
  const v1 = fields.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) {
    return false;
  }
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));

  return expected.length === v1.length && timingSafeEqual(expected, Buffer.from(v1));
}

export class WebhookReceiver {
  readonly received: ReceivedEvent[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        this.received.push({
          path: request.url ?? '',
          headers: request.headers,
          body,
          event: JSON.parse(body) as ReceivedEvent['event'],
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): ReceivedEvent[] {
    return this.received.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export interface WebhookScenarioContext {
  /** Where the caller API is served (the embedded gateway, or intake). */
  readonly apiUrl: string;
  /** A key of the default account with every scope (operator included). */
  readonly operator: GatewayClient;
  /** The simulator's control client (posts inbound messages as Twilio would). */
  readonly sim: GatewayClient;
  /** Where the simulator posts inbound webhooks (the embedded gateway, or dlr-ingest). */
  readonly webhookBase: string;
  readonly receiver: WebhookReceiver;
}

type Created = components['schemas']['WebhookWithSecretResponse'];

/** Registers the scenario's tests; `context` is read when they run (after the suite's beforeAll). */
export function describeWebhookScenario(context: () => WebhookScenarioContext): void {
  let acme: GatewayClient;
  let globex: GatewayClient;
  let acmeHook: Created;
  let messageId: string;

  const adminOf = async (name: string): Promise<GatewayClient> => {
    const { operator, apiUrl } = context();
    const account = await operator.post('/v1/accounts', { name });
    expect(account.status).toBe(201);
    const key = await operator.post('/v1/api-keys', {
      name: `${name} admin`,
      scopes: ['admin'],
      accountId: account.body.id,
    });
    expect(key.status).toBe(201);

    return new GatewayClient(apiUrl, { authorization: `Bearer ${key.body.key}` });
  };

  it('creates a subscription, shows its secret once and never in a read', async () => {
    acme = await adminOf('Webhook Acme');
    globex = await adminOf('Webhook Globex');
    const url = `${context().receiver.url}/acme`;
    const created = await acme.post('/v1/webhooks', { url, events: ['message.status'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url, events: ['message.status'] });
    expect(created.body.secret).toMatch(/^whsec_/);
    acmeHook = created.body;

    const listed = await acme.get('/v1/webhooks');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: acmeHook.id, url })]);
    expect(JSON.stringify(listed.body)).not.toContain(acmeHook.secret);
    expect(listed.body.data[0]).not.toHaveProperty('secret');
    const one = await acme.get(`/v1/webhooks/${acmeHook.id}`);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('secret');
  });

  it('refuses bad input with a stable code', async () => {
    const cases: [unknown, string, string | undefined][] = [
      [{ url: 'ftp://hooks.example.com/x', events: ['message.status'] }, 'INVALID_WEBHOOK_URL', 'url'],
      [
        { url: `https://hooks.example.com/${'a'.repeat(2100)}`, events: ['message.status'] },
        'INVALID_WEBHOOK_URL',
        'url',
      ],
      [{ url: 'https://hooks.example.com/x', events: [] }, 'EVENTS_EMPTY', 'events'],
      [{ url: 'https://hooks.example.com/x', events: ['message.deleted'] }, 'UNKNOWN_EVENT_TYPE', 'events'],
      [
        { url: 'https://hooks.example.com/x', events: ['message.status'], secret: 'short' },
        'SECRET_TOO_SHORT',
        'secret',
      ],
      [{ url: 'https://hooks.example.com/x', events: ['message.status'], owner: 'me' }, 'UNKNOWN_FIELD', 'owner'],
    ];
    for (const [body, code, field] of cases) {
      const answer = await acme.rawPost('/v1/webhooks', body);
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 422,
        body: { error: expect.objectContaining({ code, ...(field ? { field } : {}) }) },
      });
    }
    const notJson = await acme.raw('POST', '/v1/webhooks', 'url=x', { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(400);
    expect((await acme.get('/v1/webhooks/not-a-uuid')).body).toMatchObject({ error: { code: 'INVALID_WEBHOOK_ID' } });
    const page = await acme.get(`/v1/webhooks/${acmeHook.id}/deliveries?limit=1001`);
    expect(page.body).toMatchObject({ error: { code: 'INVALID_LIMIT', field: 'limit' } });
  });

  it("delivers every status change of the account's messages, signed", async () => {
    const { receiver } = context();
    const accepted = await acme.post('/v1/messages', { to: '+447400123456', body: 'webhook e2e' });
    expect(accepted.status).toBe(202);
    messageId = accepted.body.id;
    const final = await acme.waitForMessage(messageId, isFinalMessage, 30_000);
    expect(final.status).toBe('delivered');

    const events = await waitFor(
      'the delivered event',
      async () => {
        const mine = receiver.at('/acme').filter((request) => request.event.data['messageId'] === messageId);

        return mine.some((request) => request.event.data['status'] === 'delivered') ? mine : null;
      },
      30_000,
    );
    for (const request of events) {
      expect(
        verifySignature(acmeHook.secret, request.headers['x-sms-gateway-webhook-signature'] as string, request.body),
      ).toBe(true);
      expect(request.event.type).toBe('message.status');
      expect(request.headers['x-sms-gateway-event-id']).toBe(request.event.id);
    }
    const statuses = events.map((request) => request.event.data['status']);
    expect(statuses).toEqual(expect.arrayContaining(['sent', 'delivered']));
    expect(new Set(events.map((request) => request.event.id)).size).toBe(events.length);
  });

  it('logs every delivery, and replays one with the same event id, signed with the rotated secret', async () => {
    const { receiver } = context();
    const log = await acme.get(`/v1/webhooks/${acmeHook.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.data.length).toBeGreaterThanOrEqual(2);
    expect(log.body.data.every((delivery) => delivery.state === 'delivered' && delivery.attempts >= 1)).toBe(true);
    const [latest] = log.body.data;

    const rotated = await acme.post(`/v1/webhooks/${acmeHook.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(acmeHook.secret);
    const before = receiver.at('/acme').length;
    expect(latest).toBeDefined();
    const replayed = await acme.post(`/v1/webhooks/${acmeHook.id}/deliveries/${latest?.id ?? ''}/replay`, {});
    expect(replayed.status).toBe(202);
    const again = await waitFor('the replay', async () => receiver.at('/acme').slice(before)[0], 15_000);
    expect(again.event.id).toBe(latest?.eventId);
    const signature = again.headers['x-sms-gateway-webhook-signature'] as string;
    expect(verifySignature(rotated.body.secret, signature, again.body)).toBe(true);
    expect(verifySignature(acmeHook.secret, signature, again.body)).toBe(false);
  });

  it("answers 404 to another account for every route on Acme's subscription", async () => {
    const [delivery] = (await acme.get(`/v1/webhooks/${acmeHook.id}/deliveries`)).body.data;
    expect(delivery).toBeDefined();
    const base = `/v1/webhooks/${acmeHook.id}` as const;
    const attempts = [
      globex.get(base),
      globex.patch(base, { url: 'https://evil.example.com/x' }),
      globex.post(`${base}/rotate-secret`, {}),
      globex.get(`${base}/deliveries`),
      globex.post(`${base}/deliveries/${delivery?.id ?? ''}/replay`, {}),
      globex.delete(base),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 404,
        body: { error: expect.objectContaining({ code: 'NOT_FOUND' }) },
      });
    }
    expect((await globex.get('/v1/webhooks')).body.data).toEqual([]);
    expect((await acme.get(base)).body.url).toBe(acmeHook.url);
  });

  it('sends an inbound message to the subscription of the number owner', async () => {
    const { operator, receiver, sim, webhookBase } = context();
    const created = await operator.post('/v1/webhooks', {
      url: `${receiver.url}/inbound`,
      events: ['message.inbound'],
      secret: 'an-inbound-secret-of-enough-length',
    });
    // The intake that serves the API also consumes here, so its subscription directory knows at once.
    expect(created.status).toBe(201);

    // A text of its own: on a shared broker, other runs' inbound messages may reach this default account too.
    const text = `Hello from a phone ${randomUUID()}`;
    await inbound(sim, webhookBase, '+447400654321', '+12025550142', text);

    const request = await waitFor(
      'the inbound event',
      async () => receiver.at('/inbound').find((r) => r.event.data['body'] === text),
      30_000,
    );
    expect(request.event).toMatchObject({
      type: 'message.inbound',
      data: { from: '+447400654321', to: '+12025550142', body: text, provider: 'twilio' },
    });
    expect(
      verifySignature(
        'an-inbound-secret-of-enough-length',
        request.headers['x-sms-gateway-webhook-signature'] as string,
        request.body,
      ),
    ).toBe(true);
  });

  it('updates, and deletes with its log', async () => {
    const base = `/v1/webhooks/${acmeHook.id}` as const;
    const updated = await acme.patch(base, { events: ['message.status', 'message.inbound'] });
    expect(updated.status).toBe(200);
    expect(updated.body.events).toEqual(['message.status', 'message.inbound']);
    expect((await acme.delete(base)).status).toBe(204);
    expect((await acme.get(base)).status).toBe(404);
    expect((await acme.get(`${base}/deliveries`)).status).toBe(404);
  });
}
