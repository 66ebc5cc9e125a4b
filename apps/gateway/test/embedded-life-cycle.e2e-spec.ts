import { SIMULATED_PROVIDERS } from '@sms/simulator';
import { GatewayClient, isFinalMessage } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

const TO = '+447400123456';

describe('embedded gateway: the life of a message', () => {
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
    await client.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ dlrDelayMs: 20 }), {
      'content-type': 'application/json',
    });
  });

  // Every simulated provider at once: GB has several, and a retry fails over to the next one.
  const knobs = async (value: object) => {
    for (const provider of SIMULATED_PROVIDERS) {
      await client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(value), {
        'content-type': 'application/json',
      });
    }
  };

  it('accepts a message, sends it through the simulated Twilio and ends delivered with its whole story', async () => {
    const accepted = await client.post('/v1/messages', {
      to: TO,
      body: 'Your code is 123456',
      clientReference: 'order-42',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      status: 'queued',
      to: TO,
      country: 'GB',
      encoding: 'GSM-7',
      segments: 1,
      clientReference: 'order-42',
    });
    const id = accepted.body['id'];
    const message = await client.waitForMessage(id, (m) => m.status === 'delivered');
    expect(message).toMatchObject({
      provider: 'twilio',
      attempts: 1,
      errorCode: null,
      cost: '0.0400',
      currency: 'USD',
    });
    expect(message['providerMessageId']).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message['routeReason']).toMatch(/^best score for GB: twilio at 0.0400 USD\/segment/);
    const applied = message.events.filter((e) => e.applied !== false).map((e) => e.status);
    expect(applied).toEqual(['queued', 'sent', 'delivered']);
  });

  it('counts UCS-2 segments and keeps a long message in one ledger row', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Привет '.repeat(20) });
    expect(accepted.body).toMatchObject({ encoding: 'UCS-2', segments: 3 });
    await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered');
  });

  it('retries a transient failure with backoff and ends failed after the last attempt', async () => {
    await knobs({ errorRate: { transient: 1 } });
    const accepted = await client.post('/v1/messages', { to: TO, body: 'will never get through' });
    const message = await client.waitForMessage(accepted.body['id'], isFinalMessage);
    expect(message.status).toBe('failed');
    expect(message.attempts).toBe(3);
    const retries = message.events.filter((e) => e.status === 'retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(message.errorCode).toBe(retries[2]?.errorCode);
  });

  it('recovers when the provider recovers between attempts', async () => {
    // A gateway of its own with a slower backoff and more attempts: with the suite's 50 ms the last attempts
    // can all fail before the test has turned every provider's knob back, on a busy machine.
    const patient = await startEmbeddedGateway({ RETRY_BASE_DELAY_MS: '1000', MAX_SEND_ATTEMPTS: '5' });
    const patientClient = new GatewayClient(patient.url, patient.auth);
    const patientKnobs = async (value: object) => {
      for (const provider of SIMULATED_PROVIDERS) {
        await patientClient.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(value), {
          'content-type': 'application/json',
        });
      }
    };
    try {
      await patientKnobs({ errorRate: { transient: 1 }, dlrDelayMs: 20 });
      const accepted = await patientClient.post('/v1/messages', { to: TO, body: 'flaky provider' });
      const id = accepted.body['id'];
      await patientClient.waitForMessage(id, (m) => m.events.some((e) => e.status === 'retry'));
      await patientKnobs({ errorRate: { transient: 0 } });
      const message = await patientClient.waitForMessage(id, isFinalMessage);
      expect(message.status).toBe('delivered');
      expect(message.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await patient.close();
    }
  }, 60_000);

  it('ends a permanent failure undelivered with the provider error code, without retrying', async () => {
    await knobs({ errorRate: { permanent: 1 } });
    const accepted = await client.post('/v1/messages', { to: TO, body: 'bad destination' });
    const message = await client.waitForMessage(accepted.body['id'], isFinalMessage);
    expect(message.status).toBe('undelivered');
    expect(message.attempts).toBe(1);
    // The provider's own code (Twilio 2xxxx, SMPP 0x…, …): whichever provider the router picked for GB.
    expect(message.errorCode).toMatch(/\S/);
  });

  it('never moves backwards on duplicate and out-of-order receipts', async () => {
    await knobs({ duplicateDlrRate: 1, outOfOrderDlrRate: 1 });
    const accepted = await client.post('/v1/messages', { to: TO, body: 'receipts in a mess' });
    const id = accepted.body['id'];
    const message = await client.waitForMessage(id, (m) => m.status === 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = (await client.get(`/v1/messages/${id}`)).body;
    expect(settled.status).toBe('delivered');
    expect(settled.events.filter((e) => e.status === 'delivered' && e.applied !== false)).toHaveLength(1);
    expect(settled.events.length).toBeGreaterThanOrEqual(message.events.length);
    expect(settled.events.some((e) => e.applied === false)).toBe(true);
  });

  it('reports an unknown message id as 404', async () => {
    expect((await client.get('/v1/messages/01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9')).status).toBe(404);
    expect((await client.get('/v1/messages/not-a-uuid')).body).toEqual({
      error: { code: 'NOT_FOUND', message: 'Message not found' },
    });
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await client.rawGet('/healthz')).status).toBe(200);
    expect((await client.rawGet('/readyz')).body).toMatchObject({ status: 'ready' });
    const openapi = await client.rawGet<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/messages', '/v1/messages/{id}']));
    expect((await fetch(`${gateway.url}/docs`)).status).toBe(200);
  });
});
