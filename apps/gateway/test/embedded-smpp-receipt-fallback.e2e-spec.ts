/**
 * Receipt error classes over SMPP (docs/receipt-errors.md), embedded mode (SQLite, in-process bus, simulated
 * SMSC): a receipt whose `err:` the SMSC family's table classes transient (GSM MAP 027, absent subscriber)
 * re-sends the message once through another route, as an HTTP provider's transient receipt code does; a
 * permanent one (MAP 001, unknown subscriber) ends it `undelivered`.
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(180_000);

/** France: SMPP is made the cheapest route, so it is tried first; Twilio and Sinch take the fallback. */
const TO = '+33612345678';
const MESSAGES = 8;

let gateway: EmbeddedGateway;
let client: GatewayClient;

beforeAll(async () => {
  gateway = await startEmbeddedGateway();
  client = new GatewayClient(gateway.url, gateway.auth);
  const routes = await client.rawGet<{ rates: { id: string; provider: string; country: string }[] }>('/v1/routes');
  const smppFrance = routes.body.rates.find((rate) => rate.provider === 'smpp' && rate.country === 'FR');
  expect(smppFrance).toBeDefined();
  const cheaper = await client.raw('PATCH', `/v1/routes/${smppFrance?.id}`, JSON.stringify({ price: '0.0100' }), {
    'content-type': 'application/json',
  });
  expect(cheaper.status).toBe(200);
  // Every SMPP receipt is a failure: the simulated SMSC picks UNDELIV err:001 or EXPIRED err:027 per message.
  const knobs = await client.raw(
    'PUT',
    '/sim/knobs/smpp',
    JSON.stringify({ dlrDelayMs: 1_000, dlrOutcomes: { delivered: 0, undelivered: 1, failed: 0 } }),
    { 'content-type': 'application/json' },
  );
  expect(knobs.status).toBe(200);
});

afterAll(async () => {
  await gateway?.close();
});

it('falls back on a transient SMPP receipt error and lets a permanent one stand', async () => {
  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i += 1) {
    const accepted = await client.post('/v1/messages', { to: TO, body: `smpp receipt classes ${i}` });
    expect(accepted.status).toBe(202);
    ids.push(accepted.body['id']);
  }
  const ended = await Promise.all(
    ids.map((id) => client.waitForMessage(id, (m) => m.status === 'delivered' || m.status === 'undelivered', 60_000)),
  );

  // Messages routed to SMPP first (all of them, unless the router already saw SMPP fail and avoided it).
  const viaSmpp = ended.filter((m) => m.events.find((e) => e.status === 'sent')?.detail?.includes(': smpp at '));
  const smppReceipt = (m: (typeof ended)[number]) => m.events.find((e) => e.errorCode?.startsWith('err:'));
  const fellBack = viaSmpp.filter((m) => smppReceipt(m)?.errorCode === 'err:027');
  const stood = viaSmpp.filter((m) => smppReceipt(m)?.errorCode === 'err:001');
  // Both codes occur (the simulator picks each with probability one half per message).
  expect(fellBack.length).toBeGreaterThan(0);
  expect(stood.length).toBeGreaterThan(0);
  expect(fellBack.length + stood.length).toBe(viaSmpp.length);
  for (const message of fellBack) {
    // Its receipt said absent subscriber: re-sent once through another provider, delivered there.
    expect(message).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(message['provider']).not.toBe('smpp');
    expect(smppReceipt(message)?.detail ?? '').toContain('fallback');
  }
  for (const message of stood) {
    // Unknown subscriber: permanent, no re-send.
    expect(message).toMatchObject({ status: 'undelivered', provider: 'smpp', attempts: 1, errorCode: 'err:001' });
  }
});
