import 'reflect-metadata';
import { ApiScope } from '@sms/auth';
import { SIMULATED_PROVIDERS } from '@sms/simulator';
import { type GatewayClient, isFinalMessage } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';

const PORT_OFFSET = 5300;
const ENABLED_ACCOUNT = '6b6b6b6b-6b6b-4b6b-8b6b-6b6b6b6b6b6b';
/** A final receipt due long after the 2 s deadline: only reconciliation ends such a message. */
const NEVER = 300_000;

/**
 * The full path of the overdue re-send and of a priced receipt in the distributed mode: the simulator and the
 * service processes on Kafka, MariaDB and Redis. RESEND_ON_RECEIPT_TIMEOUT is left empty and the operator API
 * (intake) turns the re-send on for one account: intake's receipt deadline, the send-worker's reconciler asking
 * the simulated provider, intake re-opening the message under the account's policy, the router excluding the
 * first provider and the send-worker re-sending it. And an AWS event's price replacing the route's estimate.
 */
describe('distributed gateway: the overdue re-send policy and receipt prices', () => {
  let stack: DistributedStack<string>;
  let operator: GatewayClient;
  let enabledAccount: GatewayClient;

  const knobs = (provider: string, value: object) => stack.knobs(provider, value);

  beforeAll(async () => {
    stack = await distributedStack({
      seed: async (store) => {
        await store.accounts.create('resend-enabled', ENABLED_ACCOUNT);
        const enabled = await store.keys.create('e2e-enabled', [ApiScope.Send, ApiScope.Read], {
          accountId: ENABLED_ACCOUNT,
        });

        return enabled.key;
      },
      portOffset: PORT_OFFSET,
      extraEnv: { RETRY_BASE_DELAY_MS: '100', MAX_SEND_ATTEMPTS: '3', RECONCILE_AFTER_SECONDS: '2' },
    });
    operator = stack.client;
    enabledAccount = stack.clientWith(stack.seeded);
  }, 180_000);

  afterAll(() => stack?.stop(), 60_000);

  it("bills an AWS message at the price its receipt reports, replacing the route's estimate", async () => {
    await knobs('aws', { dlrDelayMs: 50 });
    // Finland is seeded onto the simulated AWS account only.
    const accepted = await operator.post('/v1/messages', { to: '+358401234569', body: 'Koodisi on 123456' });
    expect(accepted.status).toBe(202);

    const message = await operator.waitForMessage(accepted.body['id'], isFinalMessage, 30_000);

    expect(message).toMatchObject({ status: 'delivered', provider: 'aws', cost: '0.00645', currency: 'USD' });
    expect(message.charges).toEqual([
      expect.objectContaining({ attempt: 1, provider: 'aws', amount: '0.00645', source: 'provider', final: true }),
    ]);
  }, 45_000);

  it('re-sends the overdue message of the one account the operator API enabled, and not another’s', async () => {
    const set = await operator.raw(
      'PUT',
      `/v1/accounts/${ENABLED_ACCOUNT}/resend-policy`,
      JSON.stringify({ enabled: true, classes: ['transactional'] }),
      { 'content-type': 'application/json' },
    );
    expect(set.status).toBe(200);
    expect((await operator.rawGet('/v1/resend-policy')).body).toMatchObject({ enabled: false, source: 'env' });
    for (const provider of SIMULATED_PROVIDERS) {
      expect((await knobs(provider, { dlrDelayMs: NEVER })).status).toBe(200);
    }

    // Great Britain has several providers; every receipt is overdue, so each message ends `unknown`: after one
    // attempt, or after two when it was re-sent (the re-send's receipt is overdue too; one re-send at most).
    const [resent, other] = await Promise.all(
      [enabledAccount, operator].map(async (client, index) => {
        const accepted = await client.post('/v1/messages', { to: `+44740012358${index}`, body: 'Your code is 1234' });
        expect(accepted.status).toBe(202);

        return client.waitForMessage(accepted.body['id'], (m) => m.status === 'unknown', 90_000);
      }),
    );

    expect(resent).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', attempts: 2 });
    const providers = resent?.charges.map((charge) => charge.provider) ?? [];
    expect(providers).toHaveLength(2);
    expect(providers[1]).not.toBe(providers[0]);
    expect(resent?.events.some((e) => e.detail?.includes('receipt overdue'))).toBe(true);
    expect(other).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', attempts: 1 });
    expect(other?.events.some((e) => e.detail?.includes('receipt overdue'))).toBe(false);
  }, 120_000);
});
