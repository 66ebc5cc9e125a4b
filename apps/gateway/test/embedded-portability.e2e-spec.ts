/**
 * Number portability end to end in the embedded gateway (SQLite, in-process bus, in-memory LRU lookup cache,
 * the in-process simulator's Twilio Lookup v2): an operator enables lookups for GB and gives a network a rate;
 * explain and the quote show the ported number's network and route it by that rate; the second ask reads the
 * cache (one lookup at the simulator); bad settings get stable 4xx codes.
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

const PORTED = '+447400555001';
const json = { 'content-type': 'application/json' };

let gateway: EmbeddedGateway;
let client: GatewayClient;

interface NetworkAnswer {
  mcc: string | null;
  mnc: string | null;
  source: string;
  detail: string;
}

beforeAll(async () => {
  gateway = await startEmbeddedGateway();
  client = new GatewayClient(gateway.url, gateway.auth);
  const knobs = await client.raw(
    'PUT',
    '/sim/twilio-lookups/knobs',
    JSON.stringify({ ported: { [PORTED]: { mcc: '234', mnc: '30', carrierName: 'Ported network' } } }),
    json,
  );
  expect(knobs.status).toBe(200);
  // vonage carries network 234-30 below every prefix rate in GB.
  const rate = await client.post('/v1/routes', {
    provider: 'vonage',
    country: 'GB',
    mcc: '234',
    mnc: '30',
    price: '0.0001',
  });
  expect(rate.status).toBe(201);
});

afterAll(async () => {
  await gateway?.close();
});

const lookups = async (): Promise<number> =>
  (await client.rawGet<{ total: number }>('/sim/twilio-lookups/requests')).body.total;

describe('number portability (embedded)', () => {
  it('does not look up while lookups are off for the country (the default)', async () => {
    const explained = await client.rawGet<{ network: NetworkAnswer; chosen: { provider: string } }>(
      `/v1/routes/explain?to=${encodeURIComponent(PORTED)}`,
    );

    expect(explained.status).toBe(200);
    expect(explained.body.network).toMatchObject({ mcc: null, source: 'none', detail: 'lookups off for GB' });
    expect(explained.body.chosen.provider).not.toBe('vonage');
    expect(await lookups()).toBe(0);
  });

  it('routes a ported number by its network once lookups are on, and asks the source once', async () => {
    const put = await client.raw(
      'PUT',
      '/v1/routes/lookups/GB',
      JSON.stringify({ enabled: true, ttlSeconds: 3_600 }),
      json,
    );
    expect(put.status).toBe(200);

    const first = await client.rawGet<{ network: NetworkAnswer; chosen: { provider: string; price: string } }>(
      `/v1/routes/explain?to=${encodeURIComponent(PORTED)}`,
    );
    const quote = await client.rawPost<{ route: { network: NetworkAnswer; chosen: { provider: string } } }>(
      '/v1/messages/quote',
      { to: PORTED, body: 'hello' },
    );

    expect(first.body.network).toMatchObject({ mcc: '234', mnc: '30', source: 'lookup', detail: 'twilio' });
    expect(first.body.chosen).toMatchObject({ provider: 'vonage', price: '0.0001' });
    expect(quote.status).toBe(200);
    expect(quote.body.route.network).toMatchObject({ mcc: '234', mnc: '30', source: 'cache' });
    expect(quote.body.route.chosen.provider).toBe('vonage');
    expect(await lookups()).toBe(1);
    const listed = await client.rawGet<{ data: { country: string; enabled: boolean }[] }>('/v1/routes/lookups');
    expect(listed.body.data).toEqual([expect.objectContaining({ country: 'GB', enabled: true, provider: 'twilio' })]);
  });

  it('refuses bad settings and rates with stable codes', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['PUT', '/v1/routes/lookups/ZZ', { enabled: true }, 422, 'INVALID_COUNTRY'],
      ['PUT', '/v1/routes/lookups/GB', { enabled: 'yes' }, 422, 'INVALID_FIELD'],
      ['PUT', '/v1/routes/lookups/GB', { enabled: true, provider: 'acme' }, 422, 'UNKNOWN_LOOKUP_PROVIDER'],
      ['PUT', '/v1/routes/lookups/GB', { enabled: true, ttlSeconds: 1 }, 422, 'INVALID_LOOKUP_TTL'],
      ['PUT', '/v1/routes/lookups/GB', { enabled: true, extra: 1 }, 422, 'UNKNOWN_FIELD'],
      ['POST', '/v1/routes', { provider: 'vonage', country: 'GB', mcc: '234', price: '0.01' }, 422, 'INVALID_NETWORK'],
      ['DELETE', '/v1/routes/lookups/DE', undefined, 404, 'NOT_FOUND'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await client.raw<{ error: { code: string } }>(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        body === undefined ? {} : json,
      );

      expect([path, answer.status, answer.body.error.code]).toEqual([path, status, code]);
    }
    const notJson = await client.raw('PUT', '/v1/routes/lookups/GB', 'enabled', { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(400);
  });
});
