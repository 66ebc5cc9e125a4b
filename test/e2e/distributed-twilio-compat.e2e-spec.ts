import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { accountSidOf, DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { CallbackReceiver } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import twilio from 'twilio';

const TO = '+447400123456';

/**
 * The Twilio-compatible API in the distributed mode (docs/twilio-compat.md): the official twilio client
 * against the intake service, the StatusCallback posted by dlr-processor in another process. Ports
 * 2601-2607, simulator 6610; topics under a prefix of their own so parallel runs do not share groups.
 */
describe('distributed gateway: the Twilio-compatible API with the twilio client', () => {
  let stack: DistributedStack;
  let receiver: CallbackReceiver;
  let client: twilio.Twilio;
  const sid = accountSidOf(DEFAULT_ACCOUNT_ID);

  beforeAll(async () => {
    receiver = await new CallbackReceiver().start();
    stack = await distributedStack({
      keyName: 'e2e-twilio-compat',
      portOffset: 2600,
      extraEnv: {
        RETRY_BASE_DELAY_MS: '100',
        MAX_SEND_ATTEMPTS: '3',
        KAFKA_TOPIC_PREFIX: `twcompat-${randomBytes(4).toString('hex')}.`,
        // Both sides of the auth token: intake reveals it, dlr-processor signs with it.
        CALLBACK_SECRET: randomBytes(24).toString('hex'),
        CALLBACK_ALLOW_INSECURE: 'true',
      },
    });
    client = twilio(sid, stack.key, { autoRetry: false });
    client.api.baseUrl = stack.topology.intakeUrl;
    await stack.knobs('twilio', { dlrDelayMs: 50 });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  }, 60_000);

  it('sends, fetches until delivered, lists, and signs the StatusCallback as Twilio does', async () => {
    const callbackUrl = receiver.url('/status');
    const sent = await client.messages.create({ to: TO, body: 'Hello, distributed', statusCallback: callbackUrl });
    expect(sent).toMatchObject({ accountSid: sid, status: 'queued', to: TO });

    let fetched = await client.messages(sent.sid).fetch();
    for (let tries = 0; fetched.status !== 'delivered' && tries < 150; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      fetched = await client.messages(sent.sid).fetch();
    }
    expect(fetched).toMatchObject({ sid: sent.sid, status: 'delivered', body: 'Hello, distributed' });

    const second = await client.messages.create({ to: TO, body: 'Second' });
    const listed = await client.messages.list({ to: TO, pageSize: 1 });
    expect(listed.map((m) => m.sid)).toEqual([second.sid, sent.sid]);

    const callback = await receiver.waitFor(
      (c) => new URLSearchParams(c.body).get('MessageStatus') === 'delivered',
      30_000,
    );
    const params = Object.fromEntries(new URLSearchParams(callback.body));
    expect(params).toMatchObject({ MessageSid: sent.sid, AccountSid: sid, To: TO });
    const { authToken } = await client.api.v2010.accounts(sid).fetch();
    expect(twilio.validateRequest(authToken, String(callback.headers['x-twilio-signature']), callbackUrl, params)).toBe(
      true,
    );
  }, 90_000);
});
