/**
 * Accounts in the embedded gateway (docs/accounts.md): the operator creates accounts and keys in them,
 * an account admin manages keys of its own account only, messages are read back only by their account,
 * and `sms.send.v1` records must name an existing account.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, ConsumedRecord } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, TOPICS } from '@sms/contracts';
import { BUS } from '@sms/platform';
import { type ApiScopeName, GatewayClient, type HttpAnswer } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(60_000);

const TO = '+447400123456';

interface KeyAnswer {
  id: string;
  accountId: string;
  key: string;
  scopes: string[];
}

describe('embedded gateway: accounts and account-scoped keys and messages', () => {
  let gateway: EmbeddedGateway;
  /** The harness key: default account, every scope (operator included). */
  let operator: GatewayClient;
  let acme: { id: string; admin: GatewayClient; adminKeyId: string };
  let globex: { id: string; admin: GatewayClient };

  const client = (key: string): GatewayClient => new GatewayClient(gateway.url, { authorization: `Bearer ${key}` });

  const account = async (name: string): Promise<string> => {
    const created: HttpAnswer<{ id: string }> = await operator.post('/v1/accounts', { name });
    expect(created.status).toBe(201);

    return created.body.id;
  };

  const keyIn = async (accountId: string, scopes: ApiScopeName[], by: GatewayClient = operator): Promise<KeyAnswer> => {
    const created: HttpAnswer<KeyAnswer> = await by.post('/v1/api-keys', {
      name: `k-${scopes.join('-')}`,
      scopes,
      accountId,
    });
    expect(created.status).toBe(201);

    return created.body;
  };

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    operator = new GatewayClient(gateway.url, gateway.auth);
    const acmeId = await account('Acme');
    const acmeAdmin = await keyIn(acmeId, ['admin']);
    acme = { id: acmeId, admin: client(acmeAdmin.key), adminKeyId: acmeAdmin.id };
    const globexId = await account('Globex');
    globex = { id: globexId, admin: client((await keyIn(globexId, ['admin'])).key) };
  });

  afterAll(async () => {
    await gateway?.close();
  });

  describe('accounts API', () => {
    it('has the default account, and lists every account to the operator', async () => {
      const own = await operator.get('/v1/account');
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ id: DEFAULT_ACCOUNT_ID, name: 'default' });
      expect([...own.body.scopes].sort()).toEqual(['admin', 'operator', 'read', 'send']);
      const listed = await operator.get('/v1/accounts');
      expect(listed.body.data.map((a: { id: string }) => a.id)).toEqual(
        expect.arrayContaining([DEFAULT_ACCOUNT_ID, acme.id, globex.id]),
      );
    });

    it('shows any key its own account, and no other', async () => {
      const reader = client((await keyIn(acme.id, ['read'])).key);
      const own = await reader.get('/v1/account');
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ id: acme.id, name: 'Acme' });
      expect((await acme.admin.get('/v1/accounts')).status).toBe(403);
      expect((await acme.admin.post('/v1/accounts', { name: 'mine' })).status).toBe(403);
    });

    it.each<[string, unknown, number, string]>([
      ['no name', {}, 422, 'INVALID_NAME'],
      ['a blank name', { name: ' ' }, 422, 'INVALID_NAME'],
      ['a name of 129 characters', { name: 'x'.repeat(129) }, 422, 'INVALID_NAME'],
      ['an unknown field', { name: 'a', id: DEFAULT_ACCOUNT_ID }, 422, 'UNKNOWN_FIELD'],
      ['a JSON array', ['a'], 400, 'INVALID_JSON'],
    ])('refuses an account with %s', async (_what, body, status, code) => {
      const answer = await operator.rawPost('/v1/accounts', body);
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ error: { code } });
    });
  });

  describe('API keys per account', () => {
    it('lets an operator create a key in another account, and 404s an account that does not exist', async () => {
      const created = await keyIn(globex.id, ['send', 'read']);
      expect(created).toMatchObject({ accountId: globex.id, scopes: ['send', 'read'] });
      const missing = await operator.post('/v1/api-keys', {
        name: 'x',
        scopes: ['read'],
        accountId: randomUUID(),
      });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: 'ACCOUNT_NOT_FOUND', field: 'accountId' } });
      const malformed = await operator.post('/v1/api-keys', { name: 'x', scopes: ['read'], accountId: 'acme' });
      expect(malformed.status).toBe(422);
      expect(malformed.body).toMatchObject({ error: { code: 'INVALID_ACCOUNT_ID', field: 'accountId' } });
    });

    it('lets an admin create keys in its own account only, and never grant operator', async () => {
      const own = await acme.admin.post('/v1/api-keys', { name: 'ci', scopes: ['send'] });
      expect(own.status).toBe(201);
      expect(own.body.accountId).toBe(acme.id);
      const named = await acme.admin.post('/v1/api-keys', {
        name: 'ci',
        scopes: ['read'],
        accountId: acme.id,
      });
      expect(named.status).toBe(201);
      const elsewhere = await acme.admin.post('/v1/api-keys', { name: 'x', scopes: ['send'], accountId: globex.id });
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body).toMatchObject({ error: { code: 'FORBIDDEN', field: 'accountId' } });
      const escalation = await acme.admin.post('/v1/api-keys', { name: 'x', scopes: ['operator'] });
      expect(escalation.status).toBe(403);
      expect(escalation.body).toMatchObject({ error: { code: 'FORBIDDEN', field: 'scopes' } });
    });

    it("lists and revokes only the caller's account's keys; the operator sees and revokes all", async () => {
      const inGlobex = await keyIn(globex.id, ['read']);
      const acmeKeys = await acme.admin.get('/v1/api-keys');
      expect(acmeKeys.status).toBe(200);
      expect(acmeKeys.body.data.length).toBeGreaterThan(0);
      expect(acmeKeys.body.data.every((k: { accountId: string }) => k.accountId === acme.id)).toBe(true);
      const all = await operator.get('/v1/api-keys');
      expect(all.body.data.map((k: { id: string }) => k.id)).toEqual(
        expect.arrayContaining([inGlobex.id, acme.adminKeyId]),
      );

      const foreign = await acme.admin.delete(`/v1/api-keys/${inGlobex.id}`);
      expect(foreign.status).toBe(404);
      expect((await client(inGlobex.key).get('/v1/account')).status).toBe(200);
      expect((await operator.delete(`/v1/api-keys/${inGlobex.id}`)).status).toBe(204);
      expect((await client(inGlobex.key).get('/v1/account')).status).toBe(401);

      const malformed = await acme.admin.delete('/v1/api-keys/not-a-key');
      expect(malformed.status).toBe(422);
      expect(malformed.body).toMatchObject({ error: { code: 'INVALID_KEY_ID' } });
    });

    it('lets no account admin revoke an operator key, even one in its own account', async () => {
      const defaultAdmin = client((await keyIn(DEFAULT_ACCOUNT_ID, ['admin'])).key);
      const platformKey = await keyIn(DEFAULT_ACCOUNT_ID, ['operator']);
      const refused = await defaultAdmin.delete(`/v1/api-keys/${platformKey.id}`);
      expect(refused.status).toBe(403);
      expect((await client(platformKey.key).get('/v1/accounts')).status).toBe(200);
    });
  });

  describe('messages per account', () => {
    it("answers 404 for another account's message, however the caller is scoped", async () => {
      const acmeSender = client((await keyIn(acme.id, ['send', 'read'])).key);
      const sent = await acmeSender.post('/v1/messages', { to: TO, body: 'acme only' });
      expect(sent.status).toBe(202);
      const id = sent.body.id;
      expect((await acmeSender.get(`/v1/messages/${id}`)).status).toBe(200);
      expect((await acme.admin.get(`/v1/messages/${id}`)).status).toBe(200);
      for (const other of [globex.admin, client((await keyIn(globex.id, ['read'])).key), operator]) {
        const answer = await other.get(`/v1/messages/${id}`);
        expect(answer.status).toBe(404);
        expect(JSON.stringify(answer.body)).not.toContain('acme only');
      }
    });

    it('keeps Idempotency-Keys apart across accounts: the same key makes one message per account', async () => {
      const key = `order-${randomUUID()}`;
      const a = client((await keyIn(acme.id, ['send', 'read'])).key);
      const b = client((await keyIn(globex.id, ['send', 'read'])).key);
      const first = await a.post('/v1/messages', { to: TO, body: 'same' }, { 'idempotency-key': key });
      const second = await b.post('/v1/messages', { to: TO, body: 'same' }, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      expect(second.body.id).not.toBe(first.body.id);
      expect((await b.get(`/v1/messages/${first.body.id}`)).status).toBe(404);
      expect((await b.get(`/v1/messages/${second.body.id}`)).status).toBe(200);
    });
  });

  describe('sms.send.v1 records name their account', () => {
    it('files a record under its account, and refuses one without an account or with an unknown one', async () => {
      const bus = gateway.app.get<Bus>(BUS);
      const refusals: ConsumedRecord[] = [];
      await bus.subscribe({
        groupId: `test-refusals-${randomUUID()}`,
        topics: [TOPICS.status],
        handler: async (record) => {
          if ((record.value as { kind?: string }).kind === 'refused') {
            refusals.push(record);
          }
        },
      });
      const filed = randomUUID();
      const anonymous = randomUUID();
      const stranger = randomUUID();
      await bus.publish([
        { topic: TOPICS.send, key: filed, value: { id: filed, accountId: acme.id, to: TO, body: 'from a producer' } },
        { topic: TOPICS.send, key: anonymous, value: { id: anonymous, to: TO, body: 'whose?' } },
        { topic: TOPICS.send, key: stranger, value: { id: stranger, accountId: randomUUID(), to: TO, body: '?' } },
      ]);

      const acmeReader = client((await keyIn(acme.id, ['read'])).key);
      const message = await acmeReader.waitForMessage(filed, () => true);
      expect(message).toMatchObject({ id: filed });
      expect((await operator.get(`/v1/messages/${filed}`)).status).toBe(404);

      const deadline = Date.now() + 10_000;
      while (refusals.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const byId = new Map(refusals.map((r) => [r.key, r.value]));
      expect(byId.get(anonymous)).toMatchObject({ errorCode: 'ACCOUNT_REQUIRED', detail: 'accountId' });
      expect(byId.get(stranger)).toMatchObject({ errorCode: 'ACCOUNT_NOT_FOUND', detail: 'accountId' });
      expect((await operator.get(`/v1/messages/${anonymous}`)).status).toBe(404);
    });
  });
});
