import 'reflect-metadata';
import { type GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';

/**
 * Vonage and Sinch in the distributed mode: the stand-alone simulator and the seven services, with the
 * seeded routes that only Vonage (Sweden) and only Sinch (Norway) serve. Ports 4101-4107, simulator 5110.
 */
describe('distributed gateway: Vonage and Sinch through the stand-alone simulator', () => {
  let stack: DistributedStack;
  let client: GatewayClient;

  beforeAll(async () => {
    stack = await distributedStack({
      keyName: 'e2e-vonage-sinch',
      portOffset: 1100,
      extraEnv: { RETRY_BASE_DELAY_MS: '100', MAX_SEND_ATTEMPTS: '3' },
    });
    client = stack.client;
    for (const provider of ['vonage', 'sinch']) {
      await stack.knobs(provider, { dlrDelayMs: 50 });
    }
  }, 180_000);

  afterAll(() => stack?.stop(), 60_000);

  it.each([
    ['vonage', '+46701740605', /^[0-9A-F]{16}$/],
    ['sinch', '+4741234567', /^[0-9A-HJKMNP-TV-Z]{26}$/],
  ])(
    'takes a message routed to %s through every service to delivered',
    async (provider, to, idPattern) => {
      const accepted = await client.post('/v1/messages', { to, body: `Hello via ${provider}` });
      expect(accepted.status).toBe(202);

      const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered', 30_000);

      expect(message).toMatchObject({ provider, attempts: 1 });
      expect(message['providerMessageId']).toMatch(idPattern);
      expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
        'queued',
        'sent',
        'delivered',
      ]);
    },
    60_000,
  );
});
