/**
 * Network rules end to end in the embedded gateway, through the real API: lookups on for GB, the in-process
 * simulator's Twilio Lookup v2 places one number on network 234-30 (ported) and another on 234-10 (home);
 * a rule for 234-30 refuses the ported number's message (explain, the quote and the message itself say so)
 * while the home number's is delivered under the country's rule; a sender ID forbidden on the network is
 * refused there only; bad networks get stable 4xx codes.
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

const PORTED = '+447400777001';
const HOME = '+447400777002';
const json = { 'content-type': 'application/json' };

let gateway: EmbeddedGateway;
let client: GatewayClient;

interface Explained {
  decision: string;
  code: string | null;
  reason: string;
  network: { mcc: string | null; mnc: string | null };
  rule: { level: string; network: string | null };
}

const explain = async (to: string, from?: string): Promise<Explained> => {
  const answer = await client.rawGet<Explained>(
    `/v1/routes/explain?to=${encodeURIComponent(to)}${from ? `&from=${encodeURIComponent(from)}` : ''}`,
  );
  expect(answer.status).toBe(200);

  return answer.body;
};

const putNetworkRule = (country: string, network: string, body: unknown) =>
  client.raw<{ error?: { code: string } } & Record<string, unknown>>(
    'PUT',
    `/v1/routes/rules/${country}/networks/${network}`,
    JSON.stringify(body),
    json,
  );

beforeAll(async () => {
  gateway = await startEmbeddedGateway();
  client = new GatewayClient(gateway.url, gateway.auth);
  const knobs = await client.raw(
    'PUT',
    '/sim/twilio-lookups/knobs',
    JSON.stringify({
      homeNetworks: { '447400': { mcc: '234', mnc: '10', carrierName: 'Home network' } },
      ported: { [PORTED]: { mcc: '234', mnc: '30', carrierName: 'Ported network' } },
    }),
    json,
  );
  expect(knobs.status).toBe(200);
  const lookups = await client.raw('PUT', '/v1/routes/lookups/GB', JSON.stringify({ enabled: true }), json);
  expect(lookups.status).toBe(200);
});

afterAll(async () => {
  await gateway?.close();
});

describe('network rules (embedded)', () => {
  it("refuses the ported number's messages on a blocked network and delivers the home network's", async () => {
    const put = await putNetworkRule('GB', '234-30', { blocked: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ country: 'GB', network: '234-30', mcc: '234', mnc: '30', blocked: true });

    const ported = await explain(PORTED);
    const home = await explain(HOME);
    const quote = await client.rawPost<{ route: { decision: string; code: string; rule: unknown } }>(
      '/v1/messages/quote',
      { to: PORTED, body: 'hello' },
    );

    expect(ported).toMatchObject({
      decision: 'refused',
      code: 'COUNTRY_NOT_ALLOWED',
      reason: 'sending to GB network 234-30 is blocked',
      network: { mcc: '234', mnc: '30' },
      rule: { level: 'network', network: '234-30' },
    });
    expect(home).toMatchObject({ decision: 'route', network: { mcc: '234', mnc: '10' }, rule: { network: null } });
    expect(home.rule.level).not.toBe('network');
    expect(quote.status).toBe(200);
    expect(quote.body.route).toMatchObject({
      decision: 'refused',
      code: 'COUNTRY_NOT_ALLOWED',
      rule: { level: 'network', network: '234-30' },
    });

    const refused = await client.post('/v1/messages', { to: PORTED, body: 'network rules e2e' });
    const sent = await client.post('/v1/messages', { to: HOME, body: 'network rules e2e' });
    expect([refused.status, sent.status]).toEqual([202, 202]);
    const failed = await client.waitForMessage(refused.body['id'], (m) => m.status === 'failed', 30_000);
    const delivered = await client.waitForMessage(sent.body['id'], (m) => m.status === 'delivered', 60_000);

    expect(failed.errorCode).toBe('COUNTRY_NOT_ALLOWED');
    expect(failed['errorMessage']).toBe('sending to GB network 234-30 is blocked');
    expect(delivered.status).toBe('delivered');
  });

  it('refuses a sender ID the network forbids, on that network only, and lists the rule', async () => {
    expect((await putNetworkRule('GB', '234-30', { senderIdPolicy: 'forbidden' })).status).toBe(200);

    const ported = await explain(PORTED, 'ACME');
    const home = await explain(HOME, 'ACME');
    const routes = await client.rawGet<{ networkRules: Record<string, unknown>[] }>('/v1/routes');

    expect(ported).toMatchObject({ decision: 'refused', code: 'SENDER_ID_NOT_ALLOWED', rule: { level: 'network' } });
    expect(home.decision).toBe('route');
    expect(routes.body.networkRules).toEqual([
      expect.objectContaining({ country: 'GB', network: '234-30', senderIdPolicy: 'forbidden', blocked: false }),
    ]);

    const dropped = await client.raw('DELETE', '/v1/routes/rules/GB/networks/234-30');
    expect(dropped.status).toBe(204);
    expect((await explain(PORTED, 'ACME')).decision).toBe('route');
  });

  it('refuses bad networks and bodies with stable codes', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/v1/routes/rules/GB/networks/23430', {}, 422, 'INVALID_NETWORK'],
      ['/v1/routes/rules/GB/networks/234-3', {}, 422, 'INVALID_NETWORK'],
      ['/v1/routes/rules/GB/networks/208-01', {}, 422, 'NETWORK_NOT_IN_COUNTRY'],
      ['/v1/routes/rules/ZZ/networks/234-30', {}, 422, 'INVALID_COUNTRY'],
      ['/v1/routes/rules/GB/networks/234-30', { blocked: 1 }, 422, 'INVALID_FIELD'],
      ['/v1/routes/rules/GB/networks/234-30', { network: '234-30' }, 422, 'UNKNOWN_FIELD'],
    ];
    for (const [path, body, status, code] of cases) {
      const answer = await client.raw<{ error: { code: string } }>('PUT', path, JSON.stringify(body), json);

      expect([path, answer.status, answer.body.error.code]).toEqual([path, status, code]);
    }
    const missing = await client.raw<{ error: { code: string } }>('DELETE', '/v1/routes/rules/GB/networks/234-99');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const notJson = await client.raw('PUT', '/v1/routes/rules/GB/networks/234-30', 'blocked', {
      'content-type': 'text/plain',
    });
    expect(notJson.status).toBe(400);
  });
});
