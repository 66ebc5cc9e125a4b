import { loadConfig } from '@sms/platform';
import { forwardedRoutes } from './gateway-origin';

describe(forwardedRoutes.name, () => {
  it('forwards nothing when no service URL is configured', () => {
    expect(forwardedRoutes(loadConfig({}).services)).toEqual([]);
  });

  it("forwards each configured service's public paths to it, and leaves the others out", () => {
    const { services } = loadConfig({
      ROUTER_URL: 'http://router:3002/',
      DLR_PROCESSOR_URL: 'http://dlr-processor:3005',
    });

    expect(forwardedRoutes(services)).toEqual([
      { prefix: '/v1/providers', upstream: 'http://router:3002' },
      { prefix: '/v1/numbers', upstream: 'http://router:3002' },
      { prefix: '/v1/routes', upstream: 'http://router:3002' },
      { prefix: '/v1/admin/receipts', upstream: 'http://dlr-processor:3005' },
    ]);
  });
});
