import { AccountService, ALL_SCOPES, ApiKeyService, ApiScope } from '@sms/auth';
import { accountSidOf, DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { CallbackReceiver } from '@sms/testing';
import twilio from 'twilio';
import { startEmbeddedGateway, TEST_API_KEY, type EmbeddedGateway } from './embedded-gateway.harness';

const TO = '+447400123456';
const CALLBACK_SECRET = 'twilio-compat-embedded-secret-0001';

/** The official client, pointed at the gateway: only the credentials and the base URL differ from Twilio's. */
function clientOf(gateway: EmbeddedGateway, username: string, key: string): twilio.Twilio {
  const client = twilio(username, key, { autoRetry: false });
  client.api.baseUrl = gateway.url;

  return client;
}

/** What a twilio call threw, as Twilio's RestException exposes it. */
async function failureOf(call: Promise<unknown>): Promise<{ status: number; code: number; moreInfo: string }> {
  try {
    await call;
  } catch (error) {
    return error as { status: number; code: number; moreInfo: string };
  }
  throw new Error('the call succeeded');
}

describe('embedded gateway: the Twilio-compatible API with the twilio client (docs/twilio-compat.md)', () => {
  let gateway: EmbeddedGateway;
  let receiver: CallbackReceiver;
  let client: twilio.Twilio;
  const sid = accountSidOf(DEFAULT_ACCOUNT_ID);
  let other: { sid: string; key: string; client: twilio.Twilio };

  beforeAll(async () => {
    gateway = await startEmbeddedGateway({ CALLBACK_SECRET, CALLBACK_ALLOW_INSECURE: 'true' });
    receiver = await new CallbackReceiver().start();
    client = clientOf(gateway, sid, TEST_API_KEY);
    const account = await gateway.app.get(AccountService).create('twilio-compat-b');
    const { key } = await gateway.app.get(ApiKeyService).create('b', ALL_SCOPES, { accountId: account.id });
    other = { sid: accountSidOf(account.id), key, client: clientOf(gateway, accountSidOf(account.id), key) };
  });

  afterAll(async () => {
    await receiver?.stop();
    await gateway?.close();
  });

  it('sends, fetches until delivered, and posts a StatusCallback that validateRequest accepts', async () => {
    const callbackUrl = receiver.url('/twilio/status?tenant=a');
    const sent = await client.messages.create({ to: TO, body: 'Hello through Twilio', statusCallback: callbackUrl });

    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent).toMatchObject({
      accountSid: sid,
      status: 'queued',
      to: TO,
      numSegments: '1',
      direction: 'outbound-api',
    });

    let fetched = await client.messages(sent.sid).fetch();
    for (let tries = 0; fetched.status !== 'delivered' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      fetched = await client.messages(sent.sid).fetch();
    }
    expect(fetched).toMatchObject({ sid: sent.sid, status: 'delivered', body: 'Hello through Twilio', to: TO });
    expect(fetched.dateSent).toBeInstanceOf(Date);

    const callback = await receiver.waitFor((c) => new URLSearchParams(c.body).get('MessageStatus') === 'delivered');
    const params = Object.fromEntries(new URLSearchParams(callback.body));
    expect(params).toMatchObject({
      MessageSid: sent.sid,
      SmsSid: sent.sid,
      AccountSid: sid,
      To: TO,
      ApiVersion: '2010-04-01',
    });
    expect(callback.headers['content-type']).toBe('application/x-www-form-urlencoded');

    const account = await client.api.v2010.accounts(sid).fetch();
    expect(account.authToken).toMatch(/^[0-9a-f]{32}$/);
    const signature = String(callback.headers['x-twilio-signature']);
    expect(twilio.validateRequest(account.authToken, signature, callbackUrl, params)).toBe(true);
    expect(twilio.validateRequest('0'.repeat(32), signature, callbackUrl, params)).toBe(false);
    expect(twilio.validateRequest(account.authToken, signature, receiver.url('/elsewhere'), params)).toBe(false);
  }, 30_000);

  it('lists newest first and pages as Twilio pages (next_page_uri), within the account only', async () => {
    const to = '+447400654321';
    const sids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      sids.push((await client.messages.create({ to, body: `page ${n}` })).sid);
    }
    await other.client.messages.create({ to, body: 'another account' });

    const listed = await client.messages.list({ to, pageSize: 2 });
    expect(listed.map((m) => m.sid)).toEqual([...sids].reverse());

    const first = await client.messages.page({ to, pageSize: 2 });
    expect(first.instances).toHaveLength(2);
    expect(first.nextPageUrl).toContain('PageToken=PA');
    const second = await first.nextPage();
    expect(second?.instances.map((m) => m.sid)).toEqual([sids[2], sids[1]]);
  });

  it('refuses bad input with Twilio-shaped 4xx errors', async () => {
    expect(await failureOf(client.messages.create({ to: '', body: 'x' }))).toMatchObject({ status: 400, code: 21604 });
    expect(await failureOf(client.messages.create({ to: TO, body: '' }))).toMatchObject({ status: 400, code: 21602 });
    expect(await failureOf(client.messages.create({ to: '+4412', body: 'x' }))).toMatchObject({
      status: 400,
      code: 21211,
    });
    expect(await failureOf(client.messages.create({ to: TO, body: 'x'.repeat(1601) }))).toMatchObject({
      status: 400,
      code: 21617,
    });
    expect(
      await failureOf(client.messages.create({ to: TO, body: 'x', mediaUrl: ['https://example.com/cat.png'] })),
    ).toMatchObject({ status: 400, code: 20001 });
    expect(
      await failureOf(client.messages.create({ to: TO, body: 'x', statusCallback: 'ftp://example.com/status' })),
    ).toMatchObject({ status: 400, code: 21609 });

    const raw = await fetch(`${gateway.url}/2010-04-01/Accounts/${sid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sid}:${TEST_API_KEY}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ To: TO, Body: 'x', Colour: 'blue' }).toString(),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({
      code: 20001,
      message: 'Unknown parameter Colour',
      more_info: 'https://www.twilio.com/docs/errors/20001',
      status: 400,
      details: { gateway_code: 'INVALID_PARAMETER', field: 'Colour' },
    });

    const json = await fetch(`${gateway.url}/2010-04-01/Accounts/${sid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sid}:${TEST_API_KEY}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ To: TO, Body: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 20001, status: 400 });
  });

  it('authenticates with AccountSid and API key: 20003 for a wrong pair, 20404 for another account', async () => {
    expect(await failureOf(clientOf(gateway, sid, 'smsgw_not_a_key_at_all_0000').messages.list())).toMatchObject({
      status: 401,
      code: 20003,
    });
    // The key is real but belongs to another account than the username names.
    expect(await failureOf(clientOf(gateway, other.sid, TEST_API_KEY).messages.list())).toMatchObject({
      status: 401,
      code: 20003,
    });
    expect(await failureOf(client.api.v2010.accounts(other.sid).messages.list())).toMatchObject({
      status: 404,
      code: 20404,
    });
    const reader = await gateway.app.get(ApiKeyService).create('reader', [ApiScope.Read]);
    expect(await failureOf(clientOf(gateway, sid, reader.key).messages.create({ to: TO, body: 'x' }))).toMatchObject({
      status: 403,
      code: 20403,
    });
    expect(await failureOf(clientOf(gateway, sid, reader.key).api.v2010.accounts(sid).fetch())).toMatchObject({
      status: 403,
      code: 20403,
    });
  });

  it("never shows account B's message to account A", async () => {
    const theirs = await other.client.messages.create({ to: TO, body: 'private to B' });
    expect((await other.client.messages(theirs.sid).fetch()).body).toBe('private to B');
    expect(await failureOf(client.messages(theirs.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await failureOf(client.messages('SMnot-a-sid').fetch())).toMatchObject({ status: 404, code: 20404 });
    expect((await client.messages.list({ limit: 1000 })).map((m) => m.sid)).not.toContain(theirs.sid);
  });
});
