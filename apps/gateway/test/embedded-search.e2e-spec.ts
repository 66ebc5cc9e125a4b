/**
 * GET /v1/messages (search) and GET /v1/inbound in the embedded mode, end to end: pages, filters, bad
 * input for every parameter, and one account never seeing another's messages or inbound, also not
 * through a cursor the other made. Inbound messages arrive as signed simulator webhooks.
 */
import { type ApiErrorBody, GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { inbound, waitFor } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

/** Router seed numbers: the shared pool (default account) and one the suite gives to another account. */
const POOL_NUMBER = '+12025550142';
const DEDICATED_NUMBER = '+12025550143';

/** The two searches, filters and cursor in the query string. */
type SearchPath = '/v1/messages' | `/v1/messages?${string}` | '/v1/inbound' | `/v1/inbound?${string}`;

describe('embedded gateway: search and inbound', () => {
  let gateway: EmbeddedGateway;
  /** The harness key: default account, every scope. */
  let own: GatewayClient;
  let other: GatewayClient;
  let otherAccountId: string;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    own = new GatewayClient(gateway.url, gateway.auth);
    const account = await own.post('/v1/accounts', { name: 'Globex' });
    otherAccountId = account.body.id;
    const key = await own.post('/v1/api-keys', {
      name: 'globex',
      scopes: ['send', 'read'],
      accountId: otherAccountId,
    });
    other = new GatewayClient(gateway.url, { authorization: `Bearer ${key.body.key}` });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const page = async <S extends SearchPath>(client: GatewayClient, path: S) => {
    const answer = await client.get(path);
    expect(answer.status).toBe(200);

    return answer.body;
  };

  /** Every page of a list, following nextCursor with the same filters (the path has a query already). */
  const everything = async (client: GatewayClient, path: `${'/v1/messages' | '/v1/inbound'}?${string}`) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const body: { data: { id: string }[]; nextCursor: string | null } = await page(
        client,
        cursor === null ? path : `${path}&cursor=${encodeURIComponent(cursor)}`,
      );
      ids.push(...body.data.map((m) => m.id));
      cursor = body.nextCursor;
    } while (cursor !== null);

    return ids;
  };

  describe('GET /v1/messages', () => {
    const ownIds: string[] = [];
    const otherIds: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 5; i++) {
        const to = i % 2 === 0 ? '+447400123456' : '+14155552671';
        const sent = await own.post('/v1/messages', { to, body: `hello ${i}`, clientReference: `order-${i}` });
        expect(sent.status).toBe(202);
        ownIds.push(sent.body.id);
      }
      for (let i = 0; i < 2; i++) {
        const sent = await other.post('/v1/messages', { to: '+447400654321', body: 'hi', clientReference: 'order-1' });
        otherIds.push(sent.body.id);
      }
    });

    it('pages through the account’s own messages, newest first, and only those', async () => {
      expect(await everything(own, '/v1/messages?limit=2')).toEqual([...ownIds].reverse());
      expect(await everything(other, '/v1/messages?limit=1')).toEqual([...otherIds].reverse());
      const first = (await page(own, '/v1/messages?limit=1')).data[0]!;
      expect(first).toMatchObject({
        id: ownIds[4],
        direction: 'outbound',
        to: '+447400123456',
        clientReference: 'order-4',
      });
      expect(first).not.toHaveProperty('body');
    });

    it('filters by recipient (an unencoded + too), reference, country, status and creation time', async () => {
      expect(await everything(own, '/v1/messages?to=%2B14155552671')).toEqual([ownIds[3], ownIds[1]]);
      expect(await everything(own, '/v1/messages?to=+14155552671&limit=1')).toEqual([ownIds[3], ownIds[1]]);
      expect(await everything(own, '/v1/messages?clientReference=order-1')).toEqual([ownIds[1]]);
      expect(await everything(own, '/v1/messages?country=gb&direction=outbound')).toEqual([
        ownIds[4],
        ownIds[2],
        ownIds[0],
      ]);
      const statuses = 'queued,sending,sent,delivered,failed,undelivered,unknown';
      expect(await everything(own, `/v1/messages?status=${statuses}`)).toEqual([...ownIds].reverse());
      expect(await everything(own, '/v1/messages?createdAfter=2000-01-01&createdBefore=2000-01-02')).toEqual([]);
    });

    it('refuses a cursor of another account, another filter or edited', async () => {
      const theirs = (await page(other, '/v1/messages?limit=1')).nextCursor!;
      const mine = (await page(own, '/v1/messages?limit=1')).nextCursor!;
      for (const [client, path] of [
        [own, `/v1/messages?cursor=${encodeURIComponent(theirs)}`],
        [own, `/v1/messages?limit=1&country=GB&cursor=${encodeURIComponent(mine)}`],
        [own, `/v1/messages?cursor=${encodeURIComponent(`x${mine.slice(1)}`)}`],
        [own, '/v1/messages?cursor=garbage'],
        [other, `/v1/messages?cursor=${encodeURIComponent(mine)}`],
      ] as const) {
        const answer = await client.rawGet<ApiErrorBody>(path);
        expect([answer.status, answer.body.error.code]).toEqual([422, 'INVALID_CURSOR']);
      }
    });

    it.each([
      ['limit=0', 'INVALID_LIMIT'],
      ['limit=1001', 'INVALID_LIMIT'],
      ['limit=many', 'INVALID_LIMIT'],
      ['createdAfter=last-tuesday', 'INVALID_DATE'],
      ['createdBefore=2026-13-01', 'INVALID_DATE'],
      ['createdAfter=2026-02-01&createdBefore=2026-01-01', 'INVALID_DATE_RANGE'],
      ['status=lost', 'INVALID_STATUS'],
      ['to=123', 'INVALID_PHONE_NUMBER'],
      ['from=%2B1', 'INVALID_SENDER'],
      ['country=ZZ', 'INVALID_COUNTRY'],
      ['provider=%3Bdrop', 'INVALID_PROVIDER'],
      [`clientReference=${'r'.repeat(129)}`, 'INVALID_CLIENT_REFERENCE'],
      ['direction=inbound', 'INVALID_DIRECTION'],
      ['order=asc', 'UNKNOWN_PARAMETER'],
      ['limit=1&limit=2', 'INVALID_LIMIT'],
    ])('answers ?%s with 422 %s', async (query, code) => {
      const answer = await own.rawGet<ApiErrorBody>(`/v1/messages?${query}`);
      expect([answer.status, answer.body.error.code]).toEqual([422, code]);
    });

    it('needs a key with the read scope', async () => {
      expect((await new GatewayClient(gateway.url, {}).get('/v1/messages')).status).toBe(401);
    });
  });

  describe('GET /v1/inbound', () => {
    const mo = (from: string, to: string, body: string) => inbound(own, gateway.url, from, to, body);
    const inboundOf = async (client: GatewayClient, count: number) =>
      waitFor(`${count} inbound messages`, async () => {
        const body = await page(client, '/v1/inbound');

        return body.data.length >= count ? body.data : null;
      });

    beforeAll(async () => {
      const given = await own.patch(`/v1/numbers/${encodeURIComponent(DEDICATED_NUMBER)}`, {
        accountId: otherAccountId,
      });
      expect(given.status).toBe(200);
      expect(given.body.accountId).toBe(otherAccountId);
      await mo('+447400123456', POOL_NUMBER, 'Is my order on its way?');
      await mo('+447400654321', POOL_NUMBER, 'stop');
      await mo('+14155552671', DEDICATED_NUMBER, 'Hello Globex');
      await inboundOf(own, 2);
      await inboundOf(other, 1);
    });

    it('files each inbound message under the account of the number texted, keywords shown', async () => {
      const ours = (await page(own, '/v1/inbound')).data;
      expect(ours).toEqual([
        expect.objectContaining({
          direction: 'inbound',
          from: '+447400654321',
          to: POOL_NUMBER,
          body: 'stop',
          keyword: 'STOP',
          keywordHandling: 'opted_out',
          provider: 'twilio',
        }),
        expect.objectContaining({ from: '+447400123456', keyword: null, keywordHandling: null }),
      ]);
      const theirs = (await page(other, '/v1/inbound')).data;
      expect(theirs).toEqual([expect.objectContaining({ from: '+14155552671', to: DEDICATED_NUMBER })]);

      const one = await own.get(`/v1/inbound/${ours[0]!.id}`);
      expect(one.body).toEqual(ours[0]);
      expect((await own.get(`/v1/inbound/${theirs[0]!.id}`)).status).toBe(404);
      expect((await other.get(`/v1/inbound/${ours[0]!.id}`)).status).toBe(404);
      expect((await own.get('/v1/inbound/not-an-id')).status).toBe(404);
    });

    it('filters and pages, and refuses another account’s cursor', async () => {
      expect((await page(own, '/v1/inbound?keyword=stop')).data.map((m) => m.body)).toEqual(['stop']);
      expect((await page(own, '/v1/inbound?keyword=none')).data.map((m) => m.keyword)).toEqual([null]);
      expect((await page(own, '/v1/inbound?from=%2B447400123456')).data).toHaveLength(1);
      expect((await page(own, `/v1/inbound?to=${encodeURIComponent(DEDICATED_NUMBER)}`)).data).toEqual([]);
      expect(await everything(own, '/v1/inbound?limit=1')).toHaveLength(2);
      const mine = (await page(own, '/v1/inbound?limit=1')).nextCursor!;
      const answer = await other.rawGet<ApiErrorBody>(`/v1/inbound?cursor=${encodeURIComponent(mine)}`);
      expect([answer.status, answer.body.error.code]).toEqual([422, 'INVALID_CURSOR']);
    });

    it.each([
      ['limit=0', 'INVALID_LIMIT'],
      ['limit=1001', 'INVALID_LIMIT'],
      ['limit=x', 'INVALID_LIMIT'],
      ['cursor=x.y', 'INVALID_CURSOR'],
      ['keyword=unsubscribe-me', 'INVALID_KEYWORD'],
      ['receivedAfter=soon', 'INVALID_DATE'],
      ['receivedAfter=2026-02-01&receivedBefore=2026-01-01', 'INVALID_DATE_RANGE'],
      ['from=12', 'INVALID_PHONE_NUMBER'],
      ['status=sent', 'UNKNOWN_PARAMETER'],
    ])('answers ?%s with 422 %s', async (query, code) => {
      const answer = await own.rawGet<ApiErrorBody>(`/v1/inbound?${query}`);
      expect([answer.status, answer.body.error.code]).toEqual([422, code]);
    });
  });
});
