import 'reflect-metadata';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import { ROUTE_QUALITY_SETTINGS, routeQualityScenario } from '@sms/testing-scenarios';
/** Services on 9301-9307, the simulator on 10310, its SMSC on 9075. */
const PORT_OFFSET = 6300;

/**
 * Routing by measured route quality in the distributed mode: the stand-alone simulator over HTTP and the
 * seven services over Kafka, MariaDB and Redis (send-worker, dlr-ingest, dlr-processor and the router's
 * health consumer feeding its quality tracker; short buckets in Redis, roll-ups in MariaDB). The scenario
 * of route-quality.scenario.ts, driven through the simulator's knobs.
 */
describe('distributed gateway: routing by measured route quality', () => {
  let stack: DistributedStack;

  beforeAll(async () => {
    stack = await distributedStack({
      keyName: 'e2e-route-quality',
      portOffset: PORT_OFFSET,
      extraEnv: ROUTE_QUALITY_SETTINGS,
    });
  }, 180_000);

  afterAll(() => stack?.stop(), 60_000);

  it('moves GB traffic off a route whose receipts stop, and back once they come again', async () => {
    const scenario = routeQualityScenario({
      api: stack.client,
      knobs: async (provider, update) => {
        const answer = await stack.knobs(provider, update);
        expect(answer.status).toBe(200);
      },
    });
    await scenario.setUp();
    await scenario.run();
  }, 600_000);
});
