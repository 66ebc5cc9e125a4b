/**
 * Routing by measured route quality in the embedded gateway (SQLite, in-process bus, the simulator in the
 * process): the scenario of route-quality.scenario.ts, driven through the simulator's knobs, with its settings
 * (ROUTE_QUALITY_SETTINGS).
 */
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { ROUTE_QUALITY_SETTINGS, routeQualityScenario } from '@sms/testing-scenarios';

jest.setTimeout(600_000);

let gateway: EmbeddedGateway;
let client: GatewayClient;

beforeAll(async () => {
  gateway = await startEmbeddedGateway(ROUTE_QUALITY_SETTINGS);
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
