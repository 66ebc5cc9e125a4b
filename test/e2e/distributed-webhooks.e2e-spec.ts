import 'reflect-metadata';
import { type GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import { describeWebhookScenario, WebhookReceiver } from '@sms/testing-scenarios';

const PORT_OFFSET = 3400;

jest.setTimeout(60_000);

/**
 * Account webhooks in the distributed mode: subscriptions served by intake on MariaDB, status changes
 * from the send-worker and dlr-processor through Kafka, inbound messages through simulator → dlr-ingest
 * → dlr-processor → `sms.inbound.v1` → intake; the same scenario as the embedded suite.
 */
describe('distributed gateway: account webhooks', () => {
  let stack: DistributedStack;
  let operator: GatewayClient;
  let sim: GatewayClient;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    stack = await distributedStack({
      portOffset: PORT_OFFSET,
      // The receiver is on loopback over http: only the insecure outbound policy of tests allows it.
      extraEnv: { CALLBACK_ALLOW_INSECURE: 'true' },
      // Eight processes starting at once on a shared two-core host can take longer than the default minute.
      startTimeoutMs: 150_000,
    });
    operator = stack.client;
    sim = stack.simulator;
    await stack.knobs('twilio', { dlrDelayMs: 10 });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver.close();
  }, 60_000);

  describeWebhookScenario(() => ({
    apiUrl: stack.topology.intakeUrl,
    operator,
    sim,
    webhookBase: stack.serviceUrl('dlr-ingest'),
    receiver,
  }));
});
