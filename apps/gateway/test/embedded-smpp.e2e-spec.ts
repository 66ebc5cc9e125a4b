import type { Bus } from '@sms/bus';
import { decodeEvent, InboundReceivedV1, TOPICS } from '@sms/contracts';
import { BUS } from '@sms/platform';
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

/** Denmark is routed through the SMPP bind by the seed; the simulated SMSC answers in-process. */
const TO = '+4520123451';
const SMPP_SENDER = '+4520123450';

describe('embedded gateway: a message routed over SMPP', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
    await client.raw('PUT', '/sim/knobs/smpp', JSON.stringify({ dlrDelayMs: 20 }), {
      'content-type': 'application/json',
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('is submitted over a bind and ends delivered from the deliver_sm receipt', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Your code is 123456' });
    expect(accepted.status).toBe(202);
    const id = accepted.body['id'];
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
    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered');
    expect(message['provider']).toBe('smpp');
    const sim = await client.rawGet<{ messages: { concat: string | null; receipts: string[] }[] }>(
      '/sim/smpp/messages',
    );
    const parts = sim.body.messages.filter((m) => m.concat !== null);
    expect(parts).toHaveLength(3);
    expect(parts.every((part) => part.receipts.includes('DELIVRD'))).toBe(true);
  });

  it('turns an MO deliver_sm (concatenated) into one inbound event', async () => {
    const seen: InboundReceivedV1[] = [];
    const bus = gateway.app.get<Bus>(BUS);
    await bus.subscribe({
      groupId: 'embedded-smpp-spec',
      topics: [TOPICS.inbound],
      handler: async (record) => {
        seen.push(decodeEvent(InboundReceivedV1, record.value));
      },
    });
    const body = 'Hello over SMPP. '.repeat(20);
    const mo = await client.rawPost('/sim/smpp/inbound', { from: '+4520999999', to: SMPP_SENDER, body });
    expect(mo.status).toBe(202);
    const fromUs = () => seen.filter((event) => event.from === '+4520999999');
    const deadline = Date.now() + 10_000;
    while (fromUs().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Three deliver_sm parts, one reassembled inbound message.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fromUs()).toHaveLength(1);
    expect(fromUs()[0]).toMatchObject({ provider: 'smpp', to: SMPP_SENDER, body });
  });

  it('refuses a receipt forged over HTTP: SMPP receipts are trusted only from the bind', async () => {
    const forged = await client.raw('POST', '/webhooks/smpp/status', '{"v":1}', {
      'content-type': 'application/json',
    });
    expect(forged.status).toBe(403);
  });
});
