import { computeVonageSignature } from '@sms/provider-vonage';
import { APP_CONFIG, type AppConfig } from '@sms/platform';
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

/** The seed routes Sweden only through Vonage and Norway only through Sinch (router.seed.ts). */
const VONAGE_TO = '+46701740605';
const SINCH_TO = '+4741234567';

describe('embedded gateway: Vonage and Sinch through the simulator', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
  });

  afterAll(async () => {
    await gateway.close();
  });

  const knobs = (provider: string, value: object) =>
    client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(value), { 'content-type': 'application/json' });

  beforeEach(async () => {
    await client.raw('POST', '/sim/reset');
    await knobs('vonage', { dlrDelayMs: 20 });
    await knobs('sinch', { dlrDelayMs: 20 });
  });

  it('sends through the simulated Vonage and ends delivered from its signed DLRs', async () => {
    const accepted = await client.post('/v1/messages', { to: VONAGE_TO, body: 'Din kod är 123456' });
    expect(accepted.status).toBe(202);

    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered');

    expect(message).toMatchObject({
      provider: 'vonage',
      attempts: 1,
      errorCode: null,
      cost: '0.03330000',
      currency: 'EUR',
    });
    expect(message['providerMessageId']).toMatch(/^[0-9A-F]{16}$/);
    expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
      'queued',
      'sent',
      'delivered',
    ]);
    const sim = await client.rawGet<{ messages: { clientRef: string; callbacks: { httpStatus?: number }[] }[] }>(
      '/sim/vonage/messages',
    );
    expect(sim.body.messages).toEqual([expect.objectContaining({ clientRef: accepted.body['id'] })]);
    expect(sim.body.messages[0]?.callbacks.map((attempt) => attempt.httpStatus)).toEqual([200, 200]);
  });

  it('sends a two-part Vonage message, keyed by part 1, while the simulator reports each part', async () => {
    const accepted = await client.post('/v1/messages', { to: VONAGE_TO, body: 'Привет '.repeat(12) });
    expect(accepted.body).toMatchObject({ encoding: 'UCS-2', segments: 2 });

    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered');

    const sim = await client.rawGet<{ messages: { messageIds: string[]; callbacks: { messageId: string }[] }[] }>(
      '/sim/vonage/messages',
    );
    const [simulated] = sim.body.messages;
    expect(simulated?.messageIds).toHaveLength(2);
    expect(message['providerMessageId']).toBe(simulated?.messageIds[0]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latest = await client.rawGet<{ messages: { callbacks: { messageId: string }[] }[] }>('/sim/vonage/messages');
    expect(new Set(latest.body.messages[0]?.callbacks.map((c) => c.messageId))).toEqual(new Set(simulated?.messageIds));
  });

  it('sends through the simulated Sinch and ends delivered from its HMAC-signed reports', async () => {
    const accepted = await client.post('/v1/messages', { to: SINCH_TO, body: 'Koden din er 123456' });
    expect(accepted.status).toBe(202);

    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered');

    expect(message).toMatchObject({ provider: 'sinch', attempts: 1, errorCode: null });
    expect(message['providerMessageId']).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
      'queued',
      'sent',
      'delivered',
    ]);
  });

  it('ends a Vonage message undelivered with the DLR err-code', async () => {
    await knobs('vonage', { dlrOutcomes: { delivered: 0, undelivered: 1 } });
    const accepted = await client.post('/v1/messages', { to: VONAGE_TO, body: 'hej' });

    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'undelivered');

    expect(message['errorCode']).toMatch(/^[1-8]$/);
  });

  it('accepts signed inbound webhooks from both simulators and refuses a tampered Vonage DLR with 403', async () => {
    const inbound = (provider: string) =>
      client.rawPost<{ attempts: { httpStatus?: number }[] }>(`/sim/${provider}/inbound`, {
        from: provider === 'vonage' ? VONAGE_TO : SINCH_TO,
        to: provider === 'vonage' ? '+46701740650' : '+4791234567',
        body: 'STOP',
        url: `${gateway.url}/webhooks/${provider}/inbound`,
      });

    expect((await inbound('vonage')).body.attempts).toEqual([expect.objectContaining({ httpStatus: 200 })]);
    expect((await inbound('sinch')).body.attempts).toEqual([expect.objectContaining({ httpStatus: 200 })]);

    const params: Record<string, string> = {
      msisdn: '46701740605',
      to: '46701740650',
      messageId: '0A0000000123ABCD',
      status: 'delivered',
      'err-code': '0',
      timestamp: String(Math.floor(Date.now() / 1000)),
    };
    // The simulator's generated secret, which the gateway's Vonage adapter verifies with.
    const secret = gateway.app.get<AppConfig>(APP_CONFIG).providers.vonage.signatureSecret!;
    const sig = computeVonageSignature('md5hash', secret, params);
    const signedGet = await fetch(
      `${gateway.url}/webhooks/vonage/status?${new URLSearchParams({ ...params, sig }).toString()}`,
    );
    const tamperedGet = await fetch(
      `${gateway.url}/webhooks/vonage/status?${new URLSearchParams({ ...params, status: 'failed', sig }).toString()}`,
    );
    const tamperedPost = await fetch(`${gateway.url}/webhooks/vonage/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, status: 'failed', sig }),
    });

    expect(signedGet.status).toBe(200);
    expect(tamperedGet.status).toBe(403);
    expect(tamperedPost.status).toBe(403);
    expect(await tamperedPost.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
  });
});
