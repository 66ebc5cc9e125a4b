import { GatewayClient, isFinalMessage } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

/** Finland is seeded onto the simulated AWS account only (router.seed.ts). */
const TO = '+358401234569';
const json = { 'content-type': 'application/json' };

describe('embedded gateway: a message routed to AWS End User Messaging', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
  });

  afterAll(async () => {
    await gateway.close();
  });

  beforeEach(async () => {
    await client.raw('POST', '/sim/reset');
    await client.raw('PUT', '/sim/knobs/aws', JSON.stringify({ dlrDelayMs: 20 }), json);
  });

  const knobs = (value: object) => client.raw('PUT', '/sim/knobs/aws', JSON.stringify(value), json);

  it('sends through SigV4-signed SendTextMessage and ends delivered from signed SNS event webhooks', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Din kod är 123456' });
    expect(accepted.status).toBe(202);
    const id = accepted.body['id'];

    // Generous: the simulator creates its SNS signing key on first use, on a machine shared with other suites.
    const message = await client.waitForMessage(id, (m) => m.status === 'delivered', 20_000);

    // The send answer carries no price (the route's estimate, 0.0650); the EUM event's totalMessagePrice
    // replaces it: the charge is the provider's, and so is the message's cost.
    expect(message).toMatchObject({ provider: 'aws', attempts: 1, errorCode: null, cost: '0.00645', currency: 'USD' });
    expect(message['charges']).toEqual([
      expect.objectContaining({
        attempt: 1,
        provider: 'aws',
        amount: '0.00645',
        currency: 'USD',
        source: 'provider',
        final: true,
        network: '310800',
      }),
    ]);
    expect(message['providerMessageId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(message['routeReason']).toContain('best score for FI: aws');
    const applied = message.events.filter((e) => e.applied !== false).map((e) => e.status);
    expect(applied).toEqual(['queued', 'sent', 'delivered']);
    const sim = (
      await client.rawGet<{ messages: { messageId: string; context: Record<string, string> }[] }>('/sim/aws/messages')
    ).body;
    // Our message id travels in EUM Context: the correlation key for an ambiguous send (providers.md §6).
    expect(sim.messages).toEqual([
      expect.objectContaining({ messageId: message['providerMessageId'], context: { gwMessageId: id } }),
    ]);
  }, 30_000);

  it('ends an opted-out refusal without retrying, with the EUM type and reason as error code', async () => {
    await knobs({ errorRate: { optedOut: 1 } });
    const accepted = await client.post('/v1/messages', { to: TO, body: 'to someone who said STOP' });

    const message = await client.waitForMessage(accepted.body['id'], isFinalMessage);

    expect(message.attempts).toBe(1);
    expect(message.errorCode).toBe('ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT');
  });

  it('ends undelivered from a TEXT_* carrier failure event, and never falls back through the provider that failed', async () => {
    await knobs({ dlrOutcomes: { delivered: 0, undelivered: 1, failed: 0 } });
    const sent: string[] = [];
    // Several messages so that both kinds of carrier failure come up: permanent ones end the message at once;
    // transient ones earn the DLR fallback, which finds no provider but AWS for Finland and so ends it too.
    for (let i = 0; i < 6; i++) {
      // Not TO: the opted-out test above put TO on the opt-out list (a provider-reported opt-out).
      const accepted = await client.post('/v1/messages', { to: '+358401234571', body: `to a phone that is off ${i}` });
      sent.push(accepted.body['id']);
    }
    const finals = await Promise.all(sent.map((id) => client.waitForMessage(id, isFinalMessage, 20_000)));

    for (const message of finals) {
      expect(message.status).toBe('undelivered');
      expect(message.errorCode).toMatch(/^TEXT_/);
    }
    const sim = (await client.rawGet<{ messages: { context: Record<string, string> }[] }>('/sim/aws/messages')).body;
    for (const id of sent) {
      // Submitted once: a fallback through the same provider would be a plain resend.
      expect(sim.messages.filter((m) => m.context['gwMessageId'] === id)).toHaveLength(1);
    }
  }, 30_000);

  it('refuses an AWS webhook whose signature does not verify, and accepts a real SNS delivery as text/plain', async () => {
    const forged = await fetch(`${gateway.url}/webhooks/aws/status`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body: JSON.stringify({ Type: 'Notification', Message: '{}', Signature: 'AAAA' }),
    });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });

    const inbound = await client.raw(
      'POST',
      '/sim/aws/inbound',
      JSON.stringify({ from: '+358401234570', to: '+358401234567', body: 'HELLO' }),
      json,
    );
    expect(inbound.status).toBe(200);
    const attempts = (inbound.body as { attempts: { httpStatus?: number }[] }).attempts;
    expect(attempts.map((attempt) => attempt.httpStatus)).toEqual([200]);
  });

  it('confirms a new SNS subscription by GET SubscribeURL when the SubscriptionConfirmation reaches the webhook', async () => {
    const subscribe = await client.raw(
      'PUT',
      '/sim/aws/subscriptions',
      JSON.stringify({ events: `${gateway.url}/webhooks/aws/status` }),
      json,
    );
    expect(subscribe.status).toBe(200);

    const subscriptions = await client.rawGet<{ events: { url: string; confirmed: boolean } }>(
      '/sim/aws/subscriptions',
    );

    expect(subscriptions.body.events).toEqual({ url: `${gateway.url}/webhooks/aws/status`, confirmed: true });
  });
});
