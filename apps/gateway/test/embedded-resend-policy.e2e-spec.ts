/**
 * The overdue re-send policy set at run time (ADR 0023, docs/reconciliation.md), embedded mode (SQLite,
 * in-process bus, simulator): RESEND_ON_RECEIPT_TIMEOUT is left empty, and the operator API turns the re-send
 * on for one account only. That account's overdue transactional message is re-sent once through another
 * provider; the other account's ends `unknown`. Then the operator's default turns it on for every account,
 * without a restart.
 */
import { AccountService, ApiKeyService, ApiScope } from '@sms/auth';
import { errorOf, GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(180_000);

/**
 * Great Britain: four providers serve it, so a re-send has somewhere to go. Every provider's receipt is due long
 * after the 2 s deadline: only reconciliation ends a message, `unknown` after one attempt, or after two when
 * it was re-sent (the re-send's own receipt is overdue too, and a message is re-sent at most once).
 */
const GB = '+4474001235';
const NEVER = 300_000;
const ENABLED_ACCOUNT = '7a7a7a7a-7a7a-4a7a-8a7a-7a7a7a7a7a7a';
const OPERATOR_POLICY = '/v1/resend-policy';
const ACCOUNT_POLICY = `/v1/accounts/${ENABLED_ACCOUNT}/resend-policy`;
const json = { 'content-type': 'application/json' };

let gateway: EmbeddedGateway;
let operator: GatewayClient;
let enabledAccount: GatewayClient;

const put = (client: GatewayClient, path: string, body: unknown) => client.raw('PUT', path, JSON.stringify(body), json);

async function knobs(provider: string, update: Record<string, unknown>): Promise<void> {
  expect((await operator.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(update), json)).status).toBe(200);
}

let recipients = 10;

/** A message to a recipient of its own (no sticky sender from an earlier case), once it ended `unknown`. */
async function overdue(client: GatewayClient, body: string) {
  const accepted = await client.post('/v1/messages', { to: `${GB}${recipients++}`, body });
  expect(accepted.status).toBe(202);

  return client.waitForMessage(accepted.body['id'], (m) => m.status === 'unknown', 60_000);
}

/** Which providers a message's attempts went through, in order. */
const attemptsOf = (message: { charges: readonly { attempt: number; provider: string }[] }) =>
  message.charges.map((charge) => charge.provider);

beforeAll(async () => {
  gateway = await startEmbeddedGateway({ RECONCILE_AFTER_SECONDS: '2' });
  operator = new GatewayClient(gateway.url, gateway.auth);
  await gateway.app.get(AccountService).create('resend-enabled', ENABLED_ACCOUNT);
  const { key } = await gateway.app
    .get(ApiKeyService)
    .create('resend-enabled', [ApiScope.Send, ApiScope.Read, ApiScope.Admin], { accountId: ENABLED_ACCOUNT });
  enabledAccount = new GatewayClient(gateway.url, { authorization: `Bearer ${key}` });
  for (const provider of ['twilio', 'vonage', 'sinch', 'aws', 'smpp']) {
    await knobs(provider, { dlrDelayMs: NEVER });
  }
});

afterAll(async () => {
  await gateway?.close();
});

it('starts from the environment: off', async () => {
  const answer = await operator.rawGet(OPERATOR_POLICY);

  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ enabled: false, classes: [], source: 'env' });
});

it('refuses a malformed policy with 422 and a stable code, and anyone but an operator with 403', async () => {
  const refusals = [
    [{ enabled: 'yes', classes: ['transactional'] }, 'INVALID_ENABLED'],
    [{ enabled: true, classes: ['otp'] }, 'INVALID_MESSAGE_CLASS'],
    [{ enabled: true, classes: [] }, 'RESEND_CLASSES_REQUIRED'],
    [{ enabled: true, classes: ['transactional'], once: true }, 'UNKNOWN_FIELD'],
  ] as const;
  for (const [body, code] of refusals) {
    const answer = await put(operator, ACCOUNT_POLICY, body);
    expect([answer.status, errorOf(answer).code]).toEqual([422, code]);
  }
  expect(
    (
      await put(operator, '/v1/accounts/5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e/resend-policy', {
        enabled: true,
        classes: ['transactional'],
      })
    ).status,
  ).toBe(404);
  // An account's own admin may not turn on a re-send that costs it a second charge: the operator decides.
  expect((await put(enabledAccount, ACCOUNT_POLICY, { enabled: true, classes: ['transactional'] })).status).toBe(403);
  expect((await enabledAccount.rawGet(OPERATOR_POLICY)).status).toBe(403);
});

it('re-sends the overdue message of the one account the API enabled, and not another account’s', async () => {
  const set = await put(operator, ACCOUNT_POLICY, { enabled: true, classes: ['transactional'] });
  expect(set.status).toBe(200);
  expect(set.body).toEqual({
    accountId: ENABLED_ACCOUNT,
    enabled: true,
    classes: ['transactional'],
    source: 'account',
    own: { enabled: true, classes: ['transactional'] },
  });

  const [resent, other] = await Promise.all([
    overdue(enabledAccount, 'overdue, enabled account'),
    overdue(operator, 'overdue, default account'),
  ]);

  expect(resent).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', attempts: 2 });
  const [first, second] = attemptsOf(resent);
  expect(second).toBeDefined();
  expect(second).not.toBe(first);
  expect(resent.events.some((e) => e.detail?.includes('receipt overdue'))).toBe(true);
  expect(other).toMatchObject({ status: 'unknown', errorCode: 'RECEIPT_TIMEOUT', attempts: 1 });
  expect(attemptsOf(other)).toHaveLength(1);
  expect(other.events.some((e) => e.detail?.includes('receipt overdue'))).toBe(false);
});

it("turns it on for every account through the operator's default, without a restart", async () => {
  // The enabled account's own policy now says no; the default says yes: the account's own wins for it.
  expect((await put(operator, ACCOUNT_POLICY, { enabled: false, classes: [] })).status).toBe(200);
  const set = await put(operator, OPERATOR_POLICY, { enabled: true, classes: ['transactional'] });
  expect(set.body).toEqual({ enabled: true, classes: ['transactional'], source: 'operator' });

  const [kept, resent] = await Promise.all([
    overdue(enabledAccount, 'overdue, account said no'),
    overdue(operator, 'overdue, default account now enabled'),
  ]);

  expect(kept).toMatchObject({ status: 'unknown', attempts: 1 });
  expect(resent).toMatchObject({ status: 'unknown', attempts: 2 });
  expect(new Set(attemptsOf(resent)).size).toBe(2);

  // Dropping both hands every account back to the environment.
  expect((await operator.raw('DELETE', ACCOUNT_POLICY)).status).toBe(204);
  expect((await operator.raw('DELETE', OPERATOR_POLICY)).status).toBe(204);
  expect((await operator.rawGet(ACCOUNT_POLICY)).body).toMatchObject({ source: 'env', enabled: false, own: null });
});
