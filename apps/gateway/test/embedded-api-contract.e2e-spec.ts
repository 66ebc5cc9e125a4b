import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

const TO = '+447400123456';

describe('embedded gateway: API keys, idempotency and hostile input (api.md)', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
  });

  afterAll(async () => {
    await gateway.close();
  });

  describe('API keys', () => {
    const anonymous = () => new GatewayClient(gateway.url, {});

    it('refuses a missing, malformed or unknown key with the same 401 body', async () => {
      const answers = await Promise.all([
        anonymous().post('/v1/messages', { to: TO, body: 'x' }),
        anonymous().post('/v1/messages', { to: TO, body: 'x' }, { authorization: 'Basic abc' }),
        anonymous().post(
          '/v1/messages',
          { to: TO, body: 'x' },
          { authorization: 'Bearer smsgw_not_a_real_key_at_all' },
        ),
        anonymous().get('/v1/messages/01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9', { 'x-api-key': 'nope-nope-nope' }),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual(answers[0]?.body);
      }
    });

    it('creates scoped keys: a read key cannot send (403), a revoked key is 401', async () => {
      const created = await client.post('/v1/api-keys', {
        name: 'reader',
        scopes: ['read'],
      });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^smsgw_/);
      const reader = new GatewayClient(gateway.url, { 'x-api-key': created.body.key });
      const refused = await reader.post('/v1/messages', { to: TO, body: 'x' });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect((await reader.get('/v1/messages/01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9')).status).toBe(404);
      expect((await reader.get('/v1/api-keys')).status).toBe(403);

      const listed = await client.get('/v1/api-keys');
      expect(listed.body.data.some((k: { id: string }) => k.id === created.body.id)).toBe(true);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

      expect((await client.delete(`/v1/api-keys/${created.body.id}`)).status).toBe(204);
      // Revocation reaches a process's cache immediately; other replicas within the cache lifetime.
      expect((await reader.get('/v1/messages/01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9')).status).toBe(401);
      expect((await client.delete(`/v1/api-keys/${created.body.id}`)).status).toBe(404);
    });

    it('validates key creation', async () => {
      expect((await client.rawPost('/v1/api-keys', { name: 'x', scopes: ['root'] })).status).toBe(422);
      expect((await client.post('/v1/api-keys', { name: '', scopes: ['read'] })).status).toBe(422);
      expect((await client.rawPost('/v1/api-keys', { name: 'x', scopes: ['read'], admin: true })).body).toMatchObject({
        error: { code: 'UNKNOWN_FIELD', field: 'admin' },
      });
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first response for the same key and body, and 422 for another body', async () => {
      const key = `order-${Date.now()}`;
      const first = await client.post('/v1/messages', { to: TO, body: 'once' }, { 'idempotency-key': key });
      const again = await client.post('/v1/messages', { body: 'once', to: TO }, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const other = await client.post('/v1/messages', { to: TO, body: 'twice' }, { 'idempotency-key': key });
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    });

    it('creates one message when the same request races itself; the losers get the same answer or 409', async () => {
      const key = `race-${Date.now()}`;
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          client.post('/v1/messages', { to: TO, body: 'race' }, { 'idempotency-key': key }),
        ),
      );
      const accepted = answers.filter((a) => a.status === 202);
      const conflicts = answers.filter((a) => a.status === 409);
      expect(accepted.length + conflicts.length).toBe(answers.length);
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      expect(new Set(accepted.map((a) => a.body['id'])).size).toBe(1);
      for (const conflict of conflicts) {
        expect(conflict.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_IN_FLIGHT' } });
      }
    });

    it('stores nothing for a refused request, so the key can be used again', async () => {
      const key = `fix-${Date.now()}`;
      expect((await client.post('/v1/messages', { to: '+44', body: 'x' }, { 'idempotency-key': key })).status).toBe(
        422,
      );
      expect((await client.post('/v1/messages', { to: TO, body: 'x' }, { 'idempotency-key': key })).status).toBe(202);
    });

    it('keeps keys apart per API key and rejects malformed keys', async () => {
      const key = `shared-${Date.now()}`;
      const other = await client.post('/v1/api-keys', { name: 'other', scopes: ['send'] });
      const otherClient = new GatewayClient(gateway.url, { authorization: `Bearer ${other.body.key}` });
      const mine = await client.post('/v1/messages', { to: TO, body: 'a' }, { 'idempotency-key': key });
      const theirs = await otherClient.post('/v1/messages', { to: TO, body: 'b' }, { 'idempotency-key': key });
      expect(theirs.status).toBe(202);
      expect(theirs.body['id']).not.toBe(mine.body['id']);
      const bad = await client.post('/v1/messages', { to: TO, body: 'a' }, { 'idempotency-key': 'é'.repeat(3) });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: { code: 'INVALID_IDEMPOTENCY_KEY' } });
    });
  });

  describe('bad input', () => {
    it.each([
      ['unparseable JSON', '{"to":', 'application/json', 400, 'INVALID_JSON'],
      [
        'wrong content type',
        'to=+447400123456&body=x',
        'application/x-www-form-urlencoded',
        400,
        'UNSUPPORTED_CONTENT_TYPE',
      ],
      ['text body', 'hello', 'text/plain', 400, 'UNSUPPORTED_CONTENT_TYPE'],
      ['xml body', '<a/>', 'application/xml', 400, 'UNSUPPORTED_CONTENT_TYPE'],
      ['a JSON array', '[1,2]', 'application/json', 422, 'INVALID_REQUEST'],
      ['invalid number', JSON.stringify({ to: '+1555', body: 'x' }), 'application/json', 422, 'INVALID_PHONE_NUMBER'],
      ['missing number', JSON.stringify({ body: 'x' }), 'application/json', 422, 'INVALID_PHONE_NUMBER'],
      ['empty body', JSON.stringify({ to: TO, body: '' }), 'application/json', 422, 'BODY_EMPTY'],
      ['too long body', JSON.stringify({ to: TO, body: 'a'.repeat(1601) }), 'application/json', 422, 'BODY_TOO_LONG'],
      ['lone surrogate', '{"to":"+447400123456","body":"\\ud800 x"}', 'application/json', 422, 'BODY_NOT_WELL_FORMED'],
      ['NUL', '{"to":"+447400123456","body":"a\\u0000b"}', 'application/json', 422, 'BODY_NOT_WELL_FORMED'],
      [
        'bad sender',
        JSON.stringify({ to: TO, body: 'x', from: 'ACME\r\nX: 1' }),
        'application/json',
        422,
        'INVALID_SENDER',
      ],
      [
        '12-char sender',
        JSON.stringify({ to: TO, body: 'x', from: 'ABCDEFGHIJKL' }),
        'application/json',
        422,
        'INVALID_SENDER',
      ],
      [
        'digits-only sender',
        JSON.stringify({ to: TO, body: 'x', from: '12345' }),
        'application/json',
        422,
        'INVALID_SENDER',
      ],
      ['unknown field', JSON.stringify({ to: TO, body: 'x', priority: 1 }), 'application/json', 422, 'UNKNOWN_FIELD'],
      [
        'http callback',
        JSON.stringify({ to: TO, body: 'x', callbackUrl: 'http://a.example/cb' }),
        'application/json',
        422,
        'INVALID_CALLBACK_URL',
      ],
      [
        'metadata callback',
        JSON.stringify({ to: TO, body: 'x', callbackUrl: 'https://169.254.169.254/' }),
        'application/json',
        422,
        'INVALID_CALLBACK_URL',
      ],
      [
        'validity too short',
        JSON.stringify({ to: TO, body: 'x', validitySeconds: 5 }),
        'application/json',
        422,
        'INVALID_VALIDITY',
      ],
      [
        'bad country hint',
        JSON.stringify({ to: '07400123456', body: 'x', country: 'gb' }),
        'application/json',
        422,
        'INVALID_COUNTRY',
      ],
    ])('%s → %i %s', async (_name, body, contentType, status, code) => {
      const answer = await client.raw('POST', '/v1/messages', body, { 'content-type': contentType });
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ error: { code } });
    });

    it('accepts a national number with a country hint and answers in E.164', async () => {
      const answer = await client.post('/v1/messages', { to: '07400 123456', country: 'GB', body: 'x' });
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ to: TO, country: 'GB' });
    });

    it('refuses a body over 64 KB with 413 before parsing it', async () => {
      const answer = await client.raw('POST', '/v1/messages', JSON.stringify({ to: TO, body: 'a'.repeat(70_000) }), {
        'content-type': 'application/json',
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('survives a few hundred hostile requests without a 5xx and stays live', async () => {
      const hostile = hostileRequests();
      expect(hostile.length).toBeGreaterThanOrEqual(300);
      const statuses: number[] = [];
      for (let i = 0; i < hostile.length; i += 25) {
        const batch = hostile.slice(i, i + 25);
        const answers = await Promise.all(
          batch.map(async (r) => {
            const response = await fetch(`${gateway.url}${r.path}`, {
              method: r.method,
              headers: { ...gateway.auth, ...r.headers },
              body: r.body,
              signal: AbortSignal.timeout(10_000),
            });
            await response.arrayBuffer();

            return response.status;
          }),
        );
        statuses.push(...answers);
      }
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.every((s) => s >= 200 && s < 500)).toBe(true);
      expect((await client.rawGet('/healthz')).status).toBe(200);
      expect((await client.rawGet('/readyz')).status).toBe(200);
      const ok = await client.post('/v1/messages', { to: TO, body: 'still alive' });
      expect(ok.status).toBe(202);
    });
  });
});

interface HostileRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Deterministic garbage: broken JSON, wrong types, odd encodings, deep nesting, huge values, odd methods. */
function hostileRequests(): HostileRequest[] {
  const json = { 'content-type': 'application/json' };
  const values: unknown[] = [
    null,
    true,
    0,
    -1,
    1e308,
    'x',
    '',
    [],
    {},
    [[[[]]]],
    { a: { b: { c: {} } } },
    '\u0000',
    '\ud83d',
    '\udc00\ud800',
    'a'.repeat(5000),
    '+'.repeat(40),
    '+4474001234561234567890',
    '٠١٢٣',
    '<script>',
    "' OR 1=1 --",
    '${jndi:ldap://x}',
    '../../etc/passwd',
    '%00',
    '\r\n\r\nHTTP/1.1 200',
    'NaN',
    { $gt: '' },
    ['+447400123456'],
    1.5,
  ];
  const fields = [
    'to',
    'body',
    'from',
    'country',
    'messageClass',
    'callbackUrl',
    'clientReference',
    'validitySeconds',
    '__proto__',
    'constructor',
  ];
  const requests: HostileRequest[] = [];
  for (const field of fields) {
    for (const value of values) {
      const payload: Record<string, unknown> = { to: '+447400123456', body: 'x' };
      payload[field] = value;
      requests.push({ path: '/v1/messages', method: 'POST', headers: json, body: JSON.stringify(payload) });
    }
  }
  const raw = [
    '{',
    '}',
    '{"to":}',
    '{"to":"+447400123456","body":"x",}',
    '\u0000',
    'null',
    '"string"',
    '123',
    'true',
    '{"__proto__":{"admin":true},"to":"+447400123456","body":"x"}',
    '['.repeat(5000) + ']'.repeat(5000),
    '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
    '{"to":"\\ud800","body":"\\udfff"}',
    Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'),
  ];
  for (const body of raw) {
    requests.push({ path: '/v1/messages', method: 'POST', headers: json, body });
  }
  for (const contentType of [
    '',
    'application/json; charset=utf-16',
    'multipart/form-data; boundary=x',
    'application/json\r\nX-Evil: 1'.replace(/\r\n/g, ' '),
  ]) {
    requests.push({
      path: '/v1/messages',
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body: '{"to":"+447400123456","body":"x"}',
    });
  }
  for (const path of [
    '/v1/messages/%00',
    '/v1/messages/..%2f..%2fetc',
    '/v1/messages/' + 'a'.repeat(3000),
    '/v1/messages/%E0%A4%A',
    '/v1/../admin',
    '/webhooks/twilio/status',
    '/webhooks/unknown/status',
    '/webhooks/twilio/other',
  ]) {
    requests.push({ path, method: 'GET', headers: {} });
    requests.push({ path, method: 'POST', headers: json, body: '{}' });
  }
  for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    requests.push({ path: '/v1/messages', method, headers: json, body: '{}' });
  }
  requests.push({
    path: '/webhooks/twilio/status',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
    body: 'MessageSid=SM1&MessageStatus=delivered',
  });

  return requests;
}
