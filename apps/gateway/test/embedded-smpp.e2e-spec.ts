import { OptOutModule } from '@sms/opt-out';
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

/** Sweden is routed through the SMPP bind by the seed; the simulated SMSC answers in-process. */
const TO = '+46701234567';

describe('embedded gateway: a message routed over SMPP', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
    await client.request('PUT', '/sim/knobs/smpp', JSON.stringify({ dlrDelayMs: 20 }), {
      'content-type': 'application/json',
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('is submitted over a bind and ends delivered from the deliver_sm receipt', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Your code is 123456' });
    expect(accepted.status).toBe(202);
    const id = accepted.body['id'] as string;
    const message = await client.waitForMessage(id, (m) => m.status === 'delivered');
    expect(message).toMatchObject({ provider: 'smpp', attempts: 1, errorCode: null });
    expect(message['providerMessageId']).toMatch(/^[0-9a-f]+$/);
    const applied = message.events.filter((e) => e.applied !== false).map((e) => e.status);
    expect(applied).toEqual(['queued', 'sent', 'delivered']);
  });

  it('delivers a concatenated message: every part is receipted and the message ends delivered', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Long message. '.repeat(30) });
    expect(accepted.status).toBe(202);
    expect(accepted.body['segments']).toBe(3);
    const message = await client.waitForMessage(accepted.body['id'] as string, (m) => m.status === 'delivered');
    expect(message['provider']).toBe('smpp');
    const sim = await client.get<{ messages: { concat: string | null; receipts: string[] }[] }>('/sim/smpp/messages');
    const parts = sim.body.messages.filter((m) => m.concat !== null);
    expect(parts).toHaveLength(3);
    expect(parts.every((part) => part.receipts.includes('DELIVRD'))).toBe(true);
  });

  it('turns an MO deliver_sm (concatenated) into an inbound event', async () => {
    const optOut = gateway.app.get(OptOutModule);
    const before = optOut.inboundCount;
    const mo = await client.post('/sim/smpp/inbound', {
      from: '+46709999999',
      to: '+46701740605',
      body: 'STOP please. '.repeat(20),
    });
    expect(mo.status).toBe(202);
    const deadline = Date.now() + 10_000;
    while (optOut.inboundCount === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Three deliver_sm parts, one reassembled inbound message.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(optOut.inboundCount).toBe(before + 1);
  });

  it('refuses a receipt forged over HTTP: SMPP receipts are trusted only from the bind', async () => {
    const forged = await client.request('POST', '/webhooks/smpp/status', '{"v":1}', {
      'content-type': 'application/json',
    });
    expect(forged.status).toBe(403);
  });
});
