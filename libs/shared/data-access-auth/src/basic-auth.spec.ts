import { accountSidOf } from '@sms/contracts';
import { ApiScope, type ApiPrincipal } from './api-key.service';
import { basicCredentialsOf, verifyBasicAuthorization } from './basic-auth';
import { twilioAuthTokenOf } from './twilio-auth-token';

const ACCOUNT = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';
const KEY = 'smsgw_a_key_of_the_account_000000';
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const principal: ApiPrincipal = { keyId: 'k', accountId: ACCOUNT, scopes: new Set([ApiScope.Send]) };
const keys = { verify: (key: string) => Promise.resolve(key === KEY ? principal : null) };

describe('Basic authorization', () => {
  it('reads username and password, the password keeping its colons', () => {
    expect(basicCredentialsOf(basic('AC1', 'a:b'))).toEqual({ username: 'AC1', password: 'a:b' });
  });

  it.each([undefined, 'Bearer abc', 'Basic', 'Basic !!!', basic('', 'x'), `Basic ${'A'.repeat(600)}`])(
    'refuses %j',
    (header) => {
      expect(basicCredentialsOf(header)).toBeNull();
    },
  );

  it("accepts a key with its account's AccountSid or id as the username", async () => {
    await expect(verifyBasicAuthorization(keys, basic(accountSidOf(ACCOUNT), KEY))).resolves.toBe(principal);
    await expect(verifyBasicAuthorization(keys, basic(ACCOUNT, KEY))).resolves.toBe(principal);
  });

  it('refuses a key under another account and an unknown key', async () => {
    const other = accountSidOf('0b3c1e2a-0000-4000-8000-000000000001');
    await expect(verifyBasicAuthorization(keys, basic(other, KEY))).resolves.toBeNull();
    await expect(verifyBasicAuthorization(keys, basic(accountSidOf(ACCOUNT), 'smsgw_unknown'))).resolves.toBeNull();
  });
});

describe('Twilio auth token', () => {
  it('is 32 hex digits, the same for one account and secret, different across either', () => {
    const token = twilioAuthTokenOf('secret-one', ACCOUNT);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(twilioAuthTokenOf('secret-one', ACCOUNT)).toBe(token);
    expect(twilioAuthTokenOf('secret-two', ACCOUNT)).not.toBe(token);
    expect(twilioAuthTokenOf('secret-one', '0b3c1e2a-0000-4000-8000-000000000001')).not.toBe(token);
  });
});
