/**
 * Reconciliation in the embedded mode (SQLite, in-process bus, the simulator under /sim): a message whose
 * final receipt does not come before RECONCILE_AFTER_SECONDS is looked up at its provider through
 * sms.reconcile.v1 and, the provider still reporting it in flight, ends `unknown` with RECEIPT_TIMEOUT.
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

let gateway: EmbeddedGateway;
let client: GatewayClient;

beforeAll(async () => {
  gateway = await startEmbeddedGateway({ RECONCILE_AFTER_SECONDS: '2' });
  client = new GatewayClient(gateway.url, gateway.auth);
  for (const provider of ['twilio', 'vonage', 'sinch', 'aws', 'smpp']) {
    // The final receipt is due long after the deadline: only reconciliation can end the message.
    const answer = await client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify({ dlrDelayMs: 300_000 }), {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(200);
  }
});

afterAll(async () => {
  await gateway?.close();
});

it('ends a message without a final receipt unknown (RECEIPT_TIMEOUT) once its deadline passes', async () => {
  const accepted = await client.post('/v1/messages', { to: '+447400123456', body: 'reconcile e2e' });
  expect(accepted.status).toBe(202);
  const id = accepted.body['id'];
  await client.waitForMessage(id, (m) => m.status === 'sent', 20_000);

  const ended = await client.waitForMessage(id, (m) => m.status === 'unknown', 30_000);

  expect(ended).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT' });
});
