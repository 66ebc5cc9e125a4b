/**
 * A message no provider can take waits in the router's no-route backlog (still `queued`), but not past
 * its deadline: its validity period, or ROUTER_NO_ROUTE_MAX_WAIT_SECONDS when it has none. Then it ends
 * `expired` (VALIDITY_EXPIRED) or, past the max wait, `failed` with NO_ROUTE, which GET /v1/messages/:id shows. Every provider serving Finland is switched
 * off through the operator API for this.
 */
import { GatewayClient, type MessageBody } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(150_000);

const FINLAND = '+358401234569';
const MAX_WAIT_SECONDS = 3;

let gateway: EmbeddedGateway;
let client: GatewayClient;

beforeAll(async () => {
  gateway = await startEmbeddedGateway({ ROUTER_NO_ROUTE_MAX_WAIT_SECONDS: String(MAX_WAIT_SECONDS) });
  client = new GatewayClient(gateway.url, gateway.auth);
  const routes = await client.get('/v1/routes');
  const finnish = [...new Set(routes.body.rates.filter((r) => r.country === 'FI').map((r) => r.provider))];
  expect(finnish.length).toBeGreaterThan(0);
  for (const provider of finnish) {
    expect((await client.delete(`/v1/providers/${provider}`)).status).toBe(200);
  }
  const explained = await client.get(`/v1/routes/explain?to=${encodeURIComponent(FINLAND)}`);
  expect(explained.body.decision).toBe('no-route');
});

afterAll(async () => {
  await gateway?.close();
});

const send = async (extra: { validitySeconds?: number }): Promise<string> => {
  const answer = await client.post('/v1/messages', { to: FINLAND, body: 'no route e2e', ...extra });
  expect(answer.status).toBe(202);

  return answer.body.id;
};
const failed = (id: string, timeoutMs: number): Promise<MessageBody> =>
  client.waitForMessage(id, (m) => m.status === 'failed', timeoutMs);

it('keeps a message queued while it waits for a route, and expires it when its validity passes', async () => {
  const sentAt = Date.now();
  const withValidity = await send({ validitySeconds: 60 });
  const withoutValidity = await send({});

  // No validity: the router's max wait (3 s here) ends it.
  const capped = await failed(withoutValidity, 20_000);
  expect(capped).toMatchObject({ status: 'failed', errorCode: 'NO_ROUTE', provider: null });
  expect(capped.errorMessage).toMatch(/^no provider could take the message by .+ROUTER_NO_ROUTE_MAX_WAIT_SECONDS/);
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(MAX_WAIT_SECONDS * 1000);

  // Meanwhile the one with 60 s of validity is still waiting, queued.
  expect((await client.get(`/v1/messages/${withValidity}`)).body.status).toBe('queued');

  const expired = await client.waitForMessage(withValidity, (m) => m.status === 'expired', 90_000);
  const endedAfterMs = Date.now() - sentAt;
  expect(expired).toMatchObject({ status: 'expired', errorCode: 'VALIDITY_EXPIRED', provider: null, attempts: 1 });
  expect(expired.errorMessage).toMatch(/^its validity ran out while it waited for a route \(/);
  expect(endedAfterMs).toBeGreaterThanOrEqual(59_000);
  // Ended at the deadline (the backlog's last try falls on it), not at the next backoff step.
  expect(endedAfterMs).toBeLessThan(75_000);
  expect(expired.events.map((e) => e.status)).toEqual(['queued', 'expired']);
  expect(expired.events[1]).toMatchObject({ source: 'router', errorCode: 'VALIDITY_EXPIRED' });
});
