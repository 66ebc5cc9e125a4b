/**
 * Routing by measured route quality in the embedded gateway (SQLite, in-process bus, the simulator in the
 * process): the scenario of route-quality.scenario.ts, driven through the simulator's knobs. Short quality
 * buckets (1 s) and a 2 s receipt deadline let a degraded route show within seconds.
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { routeQualityScenario } from './route-quality.scenario';

jest.setTimeout(600_000);

let gateway: EmbeddedGateway;
let client: GatewayClient;

beforeAll(async () => {
  // The suite sends to neighbouring numbers on purpose: the pumping guard is set out of its way.
  gateway = await startEmbeddedGateway({
    ROUTE_QUALITY_BUCKET_SECONDS: '1',
    RECONCILE_AFTER_SECONDS: '2',
    PUMPING_SEQUENTIAL_RECIPIENTS: '100000',
  });
  client = new GatewayClient(gateway.url, gateway.auth);
});

afterAll(async () => {
  await gateway?.close();
});

it('moves GB traffic off a route whose receipts stop, and back once they come again', async () => {
  const scenario = routeQualityScenario({
    api: client,
    knobs: async (provider, update) => {
      const answer = await client.raw('PUT', `/sim/knobs/${provider}`, JSON.stringify(update), {
        'content-type': 'application/json',
      });
      expect(answer.status).toBe(200);
    },
  });
  await scenario.setUp();
  await scenario.run();
});
