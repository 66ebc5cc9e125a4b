import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { ApiScope } from '@sms/auth';
import { type ApiErrorBody, type GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import { inbound, waitFor } from '@sms/testing-scenarios';
import { SERVICE_PORTS } from '../../scripts/distributed';

const PORT_OFFSET = 2300;
/** Router seed numbers: the shared pool (default account) and one given to the second account. */
const POOL_NUMBER = '+12025550142';
const DEDICATED_NUMBER = '+12025550143';

/** Random senders: inbound topics are shared by every run against this broker. */
const freshNumber = () => `+1415555${String(randomInt(2000, 9999))}`;

/** The two searches, filters and cursor in the query string. */
type SearchPath = `/v1/messages?${string}` | '/v1/inbound' | `/v1/inbound?${string}`;

/**
 * Search and inbound messages in the distributed mode: the services as their own processes on MariaDB and
 * Kafka; the number's account from the router's directory (Redis), inbound messages through the simulator
 * → dlr-ingest → dlr-processor → `sms.inbound.v1` → intake's inbound store.
 */
describe('distributed gateway: search and inbound', () => {
  let stack: DistributedStack<{ accountId: string; key: string }>;
  let own: GatewayClient;
  let other: GatewayClient;
  let router: GatewayClient;
  let sim: GatewayClient;
  let otherAccountId: string;
  const dlrIngest = `http://127.0.0.1:${SERVICE_PORTS['dlr-ingest'] + PORT_OFFSET}`;

  beforeAll(async () => {
    stack = await distributedStack({
      seed: async (store) => {
        const accountId = (await store.accounts.create('Globex')).id;
        const { key } = await store.keys.create('globex', [ApiScope.Send, ApiScope.Read], { accountId });

        return { accountId, key };
      },
      portOffset: PORT_OFFSET,
      // Eight processes starting at once on a shared 2-core box can take more than the default minute.
      startTimeoutMs: 150_000,
      collectLogs: false,
      onOutput: (name, line) => {
        if (/error|EADDRINUSE/i.test(line)) {
          process.stderr.write(`[${name}] ${line}\n`);
        }
      },
    });
    otherAccountId = stack.seeded.accountId;
    own = stack.client;
    other = stack.clientWith(stack.seeded.key);
    router = stack.serviceClient('router');
    sim = stack.simulator;
  }, 240_000);

  afterAll(() => stack?.stop(), 60_000);

  const page = async <S extends SearchPath>(client: GatewayClient, path: S) => {
    const answer = await client.get(path);
    expect(answer.status).toBe(200);

    return answer.body;
  };

  it('searches each account’s own messages a page at a time, filters applied, cursors bound', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await own.post('/v1/messages', {
        to: '+447400123456',
        body: `hello ${i}`,
        clientReference: `o-${i}`,
      });
      expect(sent.status).toBe(202);
      ids.push(sent.body.id);
    }
    const theirs = await other.post('/v1/messages', { to: '+447400123456', body: 'hi', clientReference: 'o-1' });
    expect(theirs.status).toBe(202);

    const first = await page(own, '/v1/messages?to=%2B447400123456&limit=2');
    expect(first.data.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    const second = await page(
      own,
      `/v1/messages?to=%2B447400123456&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(second).toEqual({
      data: [expect.objectContaining({ id: ids[0], direction: 'outbound' })],
      nextCursor: null,
    });
    expect((await page(other, '/v1/messages?clientReference=o-1')).data.map((m) => m.id)).toEqual([theirs.body.id]);

    const stolen = await other.rawGet<ApiErrorBody>(
      `/v1/messages?to=%2B447400123456&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect([stolen.status, stolen.body.error.code]).toEqual([422, 'INVALID_CURSOR']);
    const bad = await own.rawGet<ApiErrorBody>('/v1/messages?limit=1001');
    expect([bad.status, bad.body.error.code]).toEqual([422, 'INVALID_LIMIT']);
  }, 60_000);

  it('files inbound messages under the account of the number texted, keywords shown', async () => {
    const given = await router.patch(`/v1/numbers/${encodeURIComponent(DEDICATED_NUMBER)}`, {
      accountId: otherAccountId,
    });
    expect(given.status).toBe(200);
    const pooled = freshNumber();
    const dedicated = freshNumber();
    await inbound(sim, dlrIngest, pooled, POOL_NUMBER, 'HELP');
    await inbound(sim, dlrIngest, dedicated, DEDICATED_NUMBER, 'Is it ready?');

    const ours = await waitFor(
      'the pool number’s inbound message',
      async () => (await page(own, `/v1/inbound?from=${encodeURIComponent(pooled)}`)).data[0],
      30_000,
    );
    expect(ours).toMatchObject({ to: POOL_NUMBER, body: 'HELP', keyword: 'HELP', keywordHandling: 'help_answered' });
    const theirs = await waitFor(
      'the dedicated number’s inbound message',
      async () => (await page(other, `/v1/inbound?from=${encodeURIComponent(dedicated)}`)).data[0],
      30_000,
    );
    expect(theirs).toMatchObject({ to: DEDICATED_NUMBER, body: 'Is it ready?', keyword: null });

    expect((await page(own, `/v1/inbound?from=${encodeURIComponent(dedicated)}`)).data).toEqual([]);
    expect((await own.get(`/v1/inbound/${theirs.id}`)).status).toBe(404);
    expect((await other.get(`/v1/inbound/${theirs.id}`)).body).toEqual(theirs);
  }, 90_000);
});
