import 'reflect-metadata';
import { isFinalMessage } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';

/** Finland is seeded onto AWS only (router.seed.ts). */
const TO = '+358401234569';

/**
 * AWS in the distributed mode: send-worker signs SendTextMessage for the stand-alone simulator, whose SNS
 * topics deliver signed events to dlr-ingest, which fetches the simulator's certificate to verify them.
 * Ports 5201..5207 and 5290 (services offset 2200, simulator 3090 + 2200).
 */
describe('distributed gateway: a message routed to AWS', () => {
  let stack: DistributedStack;

  beforeAll(async () => {
    stack = await distributedStack({
      keyName: 'e2e-aws',
      portOffset: 2200,
      simulatorPort: 3090,
      extraEnv: { RETRY_BASE_DELAY_MS: '100', MAX_SEND_ATTEMPTS: '3' },
    });
    await stack.knobs('aws', { dlrDelayMs: 50 });
  }, 180_000);

  afterAll(() => stack?.stop(), 60_000);

  it('takes a REST request to AWS and back to delivered through signed SNS events', async () => {
    const accepted = await stack.client.post('/v1/messages', { to: TO, body: 'Hej från den distribuerade gatewayen' });
    expect(accepted.status).toBe(202);

    const message = await stack.client.waitForMessage(accepted.body['id'], isFinalMessage, 30_000);

    expect(message).toMatchObject({ status: 'delivered', provider: 'aws', attempts: 1, country: 'FI' });
    expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
      'queued',
      'sent',
      'delivered',
    ]);
  }, 45_000);
});
