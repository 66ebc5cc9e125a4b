/**
 * Account webhooks in the embedded gateway (SQLite, the in-process bus, the simulator): the shared
 * scenario of webhooks.scenario.ts. The receiver listens on loopback over http, which only
 * CALLBACK_ALLOW_INSECURE permits (the unit tests cover the refusals it lifts).
 */
import { readFileSync, statSync } from 'node:fs';
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { describeWebhookScenario, WebhookReceiver } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

describe('embedded gateway: account webhooks', () => {
  let gateway: EmbeddedGateway;
  let operator: GatewayClient;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    gateway = await startEmbeddedGateway({ CALLBACK_ALLOW_INSECURE: 'true' });
    operator = new GatewayClient(gateway.url, gateway.auth);
    await operator.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ dlrDelayMs: 10 }), {
      'content-type': 'application/json',
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await receiver.close();
  });

  describeWebhookScenario(() => ({
    apiUrl: gateway.url,
    operator,
    sim: operator,
    webhookBase: gateway.url,
    receiver,
  }));

  it('keeps the webhook secrets key out of the database, in the data folder', () => {
    const file = `${gateway.dataDir}/webhook-secrets-key`;

    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o077).toBe(0);
  });
});
