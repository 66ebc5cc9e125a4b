import { createHmac, randomBytes } from 'node:crypto';
import type { components } from '@sms/api-client';
import type { Bus } from '@sms/bus';
import { DLR_INGEST_DATA_SOURCE } from '@sms/dlr-ingest';
import { APP_CONFIG, type AppConfig, BUS } from '@sms/platform';
import { type ApiScopeName, GatewayClient, type HttpAnswer, type MessageBody } from '@sms/testing';
import type { DataSource } from 'typeorm';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { sleep, waitFor } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

/** GB: the seed routes it over several providers; the others are switched off so twilio carries it. */
const TO = '+447400123456';
const REPLAY = '/v1/admin/webhooks/replay';
const UNMATCHED = '/v1/admin/receipts/unmatched';
const FORM = 'application/x-www-form-urlencoded';
const METRICS_TOKEN = 'metrics-token-for-the-admin-suite';

type ReplaySelection = components['schemas']['WebhookReplayRequestDto'];
type UnmatchedReceipt = components['schemas']['UnmatchedReceiptDto'];

interface StoredWebhook {
  id: string;
  body: string;
  state: string;
}

/** A Twilio message SID nobody sent (SM + 32 hex digits). */
const unknownSid = (): string => `SM${randomBytes(16).toString('hex')}`;
/**
 * The id as dlr-processor keys (and lists) it: Twilio SIDs are compared case-insensitively, so the
 * unmatched list shows them lower-cased (`sm…`), not as the provider wrote them.
 */
const listed = (sid: string): string => sid.toLowerCase();

/** The stored webhook a parked receipt came from: every receipt parked over HTTP has one. */
function webhookIdOf(receipt: UnmatchedReceipt): string {
  if (receipt.webhookId === null) {
    throw new Error(`parked receipt ${receipt.id} has no webhook id`);
  }

  return receipt.webhookId;
}

/** Twilio's X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by every param name and value, names sorted. */
function twilioSignature(authToken: string, url: string, params: readonly [string, string][]): string {
  const data = [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .reduce((acc, [name, value]) => acc + name + value, url);

  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** One sample value from the Prometheus text format (summed over matching series, 0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) {
      continue;
    }
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }

  return total;
}

describe('embedded gateway: receipt operator routes over HTTP (issue #5)', () => {
  let gateway: EmbeddedGateway;
  let admin: GatewayClient;
  let config: AppConfig;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway({ METRICS_TOKEN });
    admin = new GatewayClient(gateway.url, gateway.auth);
    config = gateway.app.get<AppConfig>(APP_CONFIG);
    // Twilio only in GB, so the message's receipts are Twilio status webhooks this suite can also forge.
    for (const other of ['vonage', 'sinch', 'smpp']) {
      expect((await admin.delete(`/v1/providers/${other}`)).status).toBe(200);
    }
  });

  afterAll(async () => {
    await gateway?.close();
  });

  beforeEach(async () => {
    await admin.raw('POST', '/sim/reset');
    await admin.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ dlrDelayMs: 20 }), {
      'content-type': 'application/json',
    });
  });

  const keyWith = async (scopes: ApiScopeName[]): Promise<GatewayClient> => {
    const created = await admin.post('/v1/api-keys', { name: `scopes-${scopes.join('-')}`, scopes });
    expect(created.status).toBe(201);

    return new GatewayClient(gateway.url, { authorization: `Bearer ${created.body.key}` });
  };
  const replay = (body: ReplaySelection, client = admin) => client.post(REPLAY, body);
  const unmatched = async (query: '' | `?${string}` = ''): Promise<UnmatchedReceipt[]> => {
    const answer = await admin.get(`${UNMATCHED}${query}`);
    expect(answer.status).toBe(200);

    return answer.body.data;
  };
  const scrape = async (): Promise<string> =>
    (await admin.raw<string>('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` })).body;
  /** Every consumer group has caught up on every topic (handlers publish before they commit). */
  const quiet = async (): Promise<void> => {
    const bus = gateway.app.get<Bus>(BUS);
    await waitFor('the bus to drain', async () => (await bus.consumerLag()).every((lag) => lag.lag === 0));
    await sleep(50);
    await waitFor('the bus to drain', async () => (await bus.consumerLag()).every((lag) => lag.lag === 0));
  };
  /** The raw webhooks dlr-ingest stored for Twilio status callbacks (the ids replay takes). */
  const storedTwilioStatusWebhooks = (): Promise<StoredWebhook[]> =>
    gateway.app
      .get<DataSource>(DLR_INGEST_DATA_SOURCE)
      .query(
        `SELECT id, body, state FROM inbound_webhooks WHERE provider = 'twilio' AND kind = 'status' ORDER BY received_at, id`,
      );
  const sidOf = (webhook: StoredWebhook): string | null => new URLSearchParams(webhook.body).get('MessageSid');
  /** Posts a Twilio status webhook to the gateway, signed with the embedded account's token unless told otherwise. */
  const postTwilioStatus = (
    params: [string, string][],
    signature: 'valid' | 'forged' | 'none' = 'valid',
  ): Promise<HttpAnswer<unknown>> => {
    const path = '/webhooks/twilio/status';
    const headers: Record<string, string> = { 'content-type': FORM };
    if (signature !== 'none') {
      const token = signature === 'valid' ? config.providers.twilio.authToken : 'not-the-auth-token';
      headers['x-twilio-signature'] = twilioSignature(token, `${gateway.url}${path}`, params);
    }

    return new GatewayClient(gateway.url, {}).raw('POST', path, new URLSearchParams(params).toString(), headers);
  };
  const statusParams = (sid: string, status = 'delivered'): [string, string][] => [
    ['MessageSid', sid],
    ['SmsSid', sid],
    ['MessageStatus', status],
    ['SmsStatus', status],
    ['AccountSid', config.providers.twilio.accountSid],
    ['From', '+447400900999'],
    ['To', TO],
    ['ApiVersion', '2010-04-01'],
  ];

  describe('authentication and scopes', () => {
    const routes: [string, string, string | undefined][] = [
      ['POST', REPLAY, JSON.stringify({ ids: ['01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9'] })],
      ['GET', UNMATCHED, undefined],
    ];

    const jsonHeaders = (body: string | undefined): Record<string, string> =>
      body === undefined ? {} : { 'content-type': 'application/json' };

    it.each(routes)('%s %s without a key (or with an unknown one) is 401', async (method, path, body) => {
      const headers = jsonHeaders(body);
      const anonymous = await new GatewayClient(gateway.url, {}).raw(method, path, body, headers);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ error: { code: expect.any(String) } });
      const unknown = await new GatewayClient(gateway.url, {
        authorization: 'Bearer smsgw_not_a_real_key_at_all',
      }).raw(method, path, body, headers);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(anonymous.body);
    });

    it.each(routes)(
      '%s %s with a send+read+admin key (no operator scope) is 403 FORBIDDEN',
      async (method, path, body) => {
        const client = await keyWith(['send', 'read', 'admin']);
        const headers = jsonHeaders(body);
        const answer = await client.raw(method, path, body, headers);
        expect(answer.status).toBe(403);
        expect(answer.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      },
    );

    it('an operator-only key is enough for both routes (receipts are not per account: the platform sees them)', async () => {
      const client = await keyWith(['operator']);
      const replayed = await replay({ ids: ['01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9'] }, client);
      expect(replayed.status).toBe(202);
      expect(replayed.body).toEqual({ replayed: 0, truncated: false });
      const listed = await client.get(UNMATCHED);
      expect(listed.status).toBe(200);
      expect(Array.isArray(listed.body.data)).toBe(true);
    });
  });

  describe('replay: request validation', () => {
    it.each([
      ['text/plain', '{"ids":["01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9"]}'],
      [FORM, 'provider=twilio&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z'],
      ['application/xml', '<ids/>'],
    ])('a %s body is 400 UNSUPPORTED_CONTENT_TYPE', async (contentType, body) => {
      const answer = await admin.raw('POST', REPLAY, body, { 'content-type': contentType });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'UNSUPPORTED_CONTENT_TYPE' } });
    });

    it('unparseable JSON is 400 INVALID_JSON', async () => {
      const answer = await admin.raw('POST', REPLAY, '{"ids":', { 'content-type': 'application/json' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'INVALID_JSON' } });
    });

    const id = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';
    const from = '2026-01-01T00:00:00.000Z';
    const SELECTION = 'INVALID_REPLAY_SELECTION';
    it.each<[string, string, string | null, unknown]>([
      ['an empty object', SELECTION, 'provider', {}],
      ['a JSON array', SELECTION, null, [id]],
      ['a JSON null', SELECTION, null, null],
      ['an empty ids list', SELECTION, 'ids', { ids: [] }],
      ['ids that are not a list', SELECTION, 'ids', { ids: id }],
      ['ids that are not UUIDs', SELECTION, 'ids', { ids: [id, 'not-a-uuid'] }],
      ['a number among the ids', SELECTION, 'ids', { ids: [42] }],
      ['1001 ids', SELECTION, 'ids', { ids: Array.from({ length: 1001 }, () => id) }],
      ['an unknown field', 'UNKNOWN_FIELD', 'force', { ids: [id], force: true }],
      ['a bad provider', SELECTION, 'provider', { provider: 'Tw ilio!', from, to: '2026-01-02T00:00:00Z' }],
      ['no from', SELECTION, 'from', { provider: 'twilio', to: from }],
      ['an unreadable from', SELECTION, 'from', { provider: 'twilio', from: 'yesterday', to: from }],
      ['a numeric from', SELECTION, 'from', { provider: 'twilio', from: 0, to: from }],
      ['no to', SELECTION, 'to', { provider: 'twilio', from }],
      ['to equal to from', SELECTION, 'to', { provider: 'twilio', from, to: from }],
      ['to before from', SELECTION, 'to', { provider: 'twilio', from, to: '2025-12-31T23:59:59.999Z' }],
      ['ids mixed with a range', SELECTION, 'provider', { ids: [id], provider: 'twilio' }],
      ['a from that is not ISO 8601', SELECTION, 'from', { provider: 'twilio', from: '1', to: '2' }],
      ['a time without a zone', SELECTION, 'to', { provider: 'twilio', from, to: '2026-01-02T00:00:00' }],
    ])('%s is 422 %s (field %s)', async (_name, code, field, body) => {
      const answer = await admin.rawPost(REPLAY, body);
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual({
        error: { code, message: expect.any(String), ...(field === null ? {} : { field }) },
      });
    });
  });

  describe('replay of a delivered message', () => {
    let messageId: string;
    let delivered: MessageBody;
    let webhookIds: string[];

    beforeAll(async () => {
      await admin.raw('POST', '/sim/reset');
      await admin.raw('PUT', '/sim/knobs/twilio', JSON.stringify({ dlrDelayMs: 20 }), {
        'content-type': 'application/json',
      });
      const accepted = await admin.post('/v1/messages', { to: TO, body: 'replay me' });
      expect(accepted.status).toBe(202);
      messageId = accepted.body['id'];
      const message = await admin.waitForMessage(messageId, (m) => m.status === 'delivered');
      expect(message.provider).toBe('twilio');
      const sid = message['providerMessageId'] as string;
      // The simulator reports `sent` then `delivered`: two accepted status webhooks for this SID.
      const stored = await waitFor('both receipts to be stored', async () => {
        const rows = (await storedTwilioStatusWebhooks()).filter((row) => sidOf(row) === sid);

        return rows.length >= 2 ? rows : null;
      });
      expect(stored.every((row) => row.state === 'accepted')).toBe(true);
      webhookIds = stored.map((row) => row.id);
      await quiet();
      delivered = (await admin.get(`/v1/messages/${messageId}`)).body;
      expect(delivered.status).toBe('delivered');
      expect(delivered.events.some((e) => e.status === 'delivered' && e.source === 'dlr')).toBe(true);
    });

    it('replays by ids: 202 with the count, and the message keeps its status and exactly its events', async () => {
      const before = sample(await scrape(), 'sms_dlr_processed_total', { provider: 'twilio', result: 'correlated' });
      const answer = await replay({ ids: webhookIds });
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ replayed: webhookIds.length, truncated: false });
      // The replayed receipts really went through dlr-processor again, and matched the message...
      await waitFor(
        'the replayed receipts to be processed',
        async () =>
          sample(await scrape(), 'sms_dlr_processed_total', { provider: 'twilio', result: 'correlated' }) >=
          before + webhookIds.length,
      );
      await quiet();
      // ...yet the ledger took nothing new: same event ids, so intake recorded them once.
      const after = (await admin.get(`/v1/messages/${messageId}`)).body;
      expect(after.status).toBe('delivered');
      expect(after.events).toEqual(delivered.events);
      expect(after['deliveredAt']).toBe(delivered['deliveredAt']);
    });

    it('replaying the same ids twice is as harmless as once', async () => {
      expect((await replay({ ids: webhookIds })).body).toEqual({ replayed: webhookIds.length, truncated: false });
      expect((await replay({ ids: webhookIds })).body).toEqual({ replayed: webhookIds.length, truncated: false });
      await quiet();
      const after = (await admin.get(`/v1/messages/${messageId}`)).body;
      expect(after.events).toEqual(delivered.events);
    });

    it('replays by provider and a time range that covers the receipts', async () => {
      const from = new Date(Date.parse(delivered['createdAt']) - 1_000).toISOString();
      const to = new Date(Date.now() + 1_000).toISOString();
      const answer = await replay({ provider: 'twilio', from, to });
      expect(answer.status).toBe(202);
      expect(answer.body.replayed).toBeGreaterThanOrEqual(webhookIds.length);
      expect(answer.body.truncated).toBe(false);
      await quiet();
      const after = (await admin.get(`/v1/messages/${messageId}`)).body;
      expect(after.status).toBe('delivered');
      expect(after.events).toEqual(delivered.events);
    });

    it('a range, provider or id that holds no receipt replays nothing', async () => {
      const empty = { replayed: 0, truncated: false };
      const lastYear = { from: '2000-01-01T00:00:00.000Z', to: '2000-01-02T00:00:00.000Z' };
      const byOldRange = await replay({ provider: 'twilio', ...lastYear });
      expect(byOldRange.status).toBe(202);
      expect(byOldRange.body).toEqual(empty);
      const now = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() };
      expect((await replay({ provider: 'vonage', ...now })).body).toEqual(empty);
      expect((await replay({ provider: 'no-such-provider', ...now })).body).toEqual(empty);
      expect((await replay({ ids: ['01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9'] })).body).toEqual(empty);
    });

    it('the range is half-open: it ends before `to`', async () => {
      const rows = await gateway.app
        .get<DataSource>(DLR_INGEST_DATA_SOURCE)
        .query(`SELECT received_at FROM inbound_webhooks WHERE id = ?`, [webhookIds[0]]);
      const raw = (rows as { received_at: string | Date }[])[0]?.received_at;
      const receivedAt = raw instanceof Date ? raw : new Date(`${String(raw).replace(' ', 'T')}Z`);
      expect(Number.isNaN(receivedAt.getTime())).toBe(false);
      const endingAtIt = await replay({
        provider: 'twilio',
        from: new Date(receivedAt.getTime() - 1).toISOString(),
        to: receivedAt.toISOString(),
      });
      const coveringIt = await replay({
        provider: 'twilio',
        from: receivedAt.toISOString(),
        to: new Date(receivedAt.getTime() + 1).toISOString(),
      });
      expect(endingAtIt.body.replayed).toBe(0);
      expect(coveringIt.body.replayed).toBeGreaterThanOrEqual(1);
    });
  });

  describe('unmatched receipts', () => {
    it('lists a correctly signed receipt for a SID nobody sent, with its provider, id and status', async () => {
      const sid = unknownSid();
      const answer = await postTwilioStatus(statusParams(sid));
      expect(answer.status).toBe(200);
      const parked = await waitFor('the receipt to be parked', async () =>
        (await unmatched()).find((receipt) => receipt.providerMessageId === listed(sid)),
      );
      expect(parked).toEqual({
        id: expect.stringMatching(/^\d+$/),
        provider: 'twilio',
        providerMessageId: listed(sid),
        reason: 'unmatched',
        status: 'delivered',
        // The provider's own word for it.
        detail: 'delivered',
        webhookId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        parkedAt: expect.any(String),
      });
      const parkedAt = Date.parse(parked.parkedAt);
      expect(Math.abs(Date.now() - parkedAt)).toBeLessThan(30_000);
      expect(new Date(parkedAt).toISOString()).toBe(parked.parkedAt);
    });

    it('filters by provider, age and limit, newest first', async () => {
      const first = unknownSid();
      const second = unknownSid();
      expect((await postTwilioStatus(statusParams(first, 'undelivered'))).status).toBe(200);
      await waitFor('the first receipt', async () =>
        (await unmatched()).some((r) => r.providerMessageId === listed(first)),
      );
      await sleep(20);
      expect((await postTwilioStatus(statusParams(second, 'failed'))).status).toBe(200);
      await waitFor('the second receipt', async () =>
        (await unmatched()).some((r) => r.providerMessageId === listed(second)),
      );

      const newest = await unmatched('?limit=2');
      expect(newest.map((r) => r.providerMessageId)).toEqual([listed(second), listed(first)]);
      expect(newest.map((r) => r.status)).toEqual(['failed', 'undelivered']);
      expect((await unmatched('?limit=1')).map((r) => r.providerMessageId)).toEqual([listed(second)]);

      const twilio = await unmatched('?provider=twilio');
      expect(twilio.length).toBeGreaterThanOrEqual(2);
      expect(twilio.every((r) => r.provider === 'twilio')).toBe(true);
      expect(await unmatched('?provider=vonage')).toEqual([]);
      expect(await unmatched('?provider=no-such-provider')).toEqual([]);

      // Parked a moment ago: not older than an hour, but older than 0 seconds.
      expect(await unmatched('?olderThanSeconds=3600')).toEqual([]);
      expect((await unmatched('?olderThanSeconds=0')).some((r) => r.providerMessageId === listed(second))).toBe(true);
      const sorted = [...twilio].sort((a, b) => Date.parse(b.parkedAt) - Date.parse(a.parkedAt));
      expect(twilio).toEqual(sorted);
    });

    it.each([
      ['limit=0', 'INVALID_LIMIT', 'limit'],
      ['limit=1001', 'INVALID_LIMIT', 'limit'],
      ['limit=1.5', 'INVALID_LIMIT', 'limit'],
      ['limit=ten', 'INVALID_LIMIT', 'limit'],
      ['limit=', 'INVALID_LIMIT', 'limit'],
      ['limit=-1', 'INVALID_LIMIT', 'limit'],
      ['olderThanSeconds=-1', 'INVALID_AGE', 'olderThanSeconds'],
      ['olderThanSeconds=1.5', 'INVALID_AGE', 'olderThanSeconds'],
      ['olderThanSeconds=soon', 'INVALID_AGE', 'olderThanSeconds'],
      ['limit=0x10', 'INVALID_LIMIT', 'limit'],
      ['limit=%205', 'INVALID_LIMIT', 'limit'],
      ['limit=5&limit=6', 'INVALID_LIMIT', 'limit'],
      ['olderThanSeconds=1e20', 'INVALID_AGE', 'olderThanSeconds'],
      ['olderThanSeconds=315360001', 'INVALID_AGE', 'olderThanSeconds'],
      ['provider=twi%20lio', 'INVALID_PROVIDER', 'provider'],
    ])('?%s is 422 %s', async (query, code, field) => {
      const answer = await admin.get(`${UNMATCHED}?${query}`);
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual({ error: { code, message: expect.any(String), field } });
    });

    it('an unsigned receipt is 401, a forged one 403, and neither is listed or replayable', async () => {
      const unsigned = unknownSid();
      const forged = unknownSid();
      const noSignature = await postTwilioStatus(statusParams(unsigned), 'none');
      expect(noSignature.status).toBe(401);
      expect(noSignature.body).toMatchObject({ error: { code: 'SIGNATURE_MISSING' } });
      const wrongSignature = await postTwilioStatus(statusParams(forged), 'forged');
      expect(wrongSignature.status).toBe(403);
      expect(wrongSignature.body).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });

      // Both are stored as rejected evidence...
      const rejected = (await storedTwilioStatusWebhooks()).filter((row) =>
        [unsigned, forged].includes(sidOf(row) ?? ''),
      );
      expect(rejected.map((row) => row.state)).toEqual(['rejected', 'rejected']);
      // ...but never parsed, so never parked, and a replay does not resurrect them.
      expect((await replay({ ids: rejected.map((row) => row.id) })).body).toEqual({ replayed: 0, truncated: false });
      await quiet();
      const all = await unmatched('?limit=1000');
      expect(all.some((r) => [unsigned, forged].map(listed).includes(r.providerMessageId))).toBe(false);
    });

    it('a parked receipt can be replayed by the webhook id the list shows', async () => {
      const sid = unknownSid();
      expect((await postTwilioStatus(statusParams(sid))).status).toBe(200);
      const parked = await waitFor('the receipt to be parked', async () =>
        (await unmatched()).find((receipt) => receipt.providerMessageId === listed(sid)),
      );
      const answer = await replay({ ids: [webhookIdOf(parked)] });
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ replayed: 1, truncated: false });
      await quiet();
      // Still unmatched (nobody sent that SID): it stays listed.
      expect((await unmatched('?limit=1000')).some((r) => r.providerMessageId === listed(sid))).toBe(true);
    });

    it('replaying a parked receipt does not list it twice', async () => {
      const sid = unknownSid();
      expect((await postTwilioStatus(statusParams(sid))).status).toBe(200);
      const parked = await waitFor('the receipt to be parked', async () =>
        (await unmatched()).find((receipt) => receipt.providerMessageId === listed(sid)),
      );
      expect((await replay({ ids: [webhookIdOf(parked)] })).body).toEqual({ replayed: 1, truncated: false });
      await quiet();
      const copies = (await unmatched('?limit=1000')).filter((r) => r.providerMessageId === listed(sid));
      expect(copies).toHaveLength(1);
    });

    it('a repeated provider parameter is a 422, not a 500', async () => {
      const answer = await admin.get(`${UNMATCHED}?provider=twilio&provider=vonage`);
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ error: { code: 'INVALID_PROVIDER', field: 'provider' } });
    });
  });
});
