import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import { CallbackReceiver, type GatewayClient } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import { inbound, waitFor } from '@sms/testing-scenarios';

/** Services on 7801-7807, the simulator on 8810 (this suite's port range). */
const PORT_OFFSET = 4800;
/** A router seed number of the shared pool (the default account's inbound). */
const POOL_NUMBER = '+12025550142';

/**
 * Intake as the browser's one origin in the distributed mode (docs/api.md "One origin in the distributed
 * mode"): the console's build at /console with its CSP and SPA fallback, the other services' public paths
 * forwarded with the caller's key (and 502 UPSTREAM_UNAVAILABLE when one is down), and a message's timeline
 * assembled from intake, dlr-ingest and dlr-processor.
 */
describe('distributed gateway: one origin for the console', () => {
  let stack: DistributedStack;
  let operator: GatewayClient;
  let reader: GatewayClient;
  let receiver: CallbackReceiver;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = mkdtempSync(path.join(tmpdir(), 'sms-console-'));
    mkdirSync(path.join(consoleDir, 'assets'));
    writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title><div id="root"></div>');
    writeFileSync(path.join(consoleDir, 'assets', 'app-1a2b3c.js'), 'console.log("app");');
    receiver = await new CallbackReceiver().start();
    stack = await distributedStack({
      portOffset: PORT_OFFSET,
      startTimeoutMs: 180_000,
      extraEnv: { CALLBACK_ALLOW_INSECURE: 'true', CONSOLE_DIR: consoleDir, FORWARD_TIMEOUT_MS: '2000' },
    });
    operator = stack.client;
    const created = await operator.post('/v1/api-keys', { name: 'reader', scopes: ['read'] });
    reader = stack.clientWith(created.body.key);
  }, 400_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
    rmSync(consoleDir, { recursive: true, force: true });
  }, 60_000);

  describe('the console build', () => {
    it('serves the page for the app paths, with the CSP, and the assets as built', async () => {
      for (const page of ['/console/', '/console/messages/42']) {
        const response = await fetch(`${stack.topology.intakeUrl}${page}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toContain('text/html');
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(await response.text()).toContain('<div id="root">');
      }
      const asset = await fetch(`${stack.topology.intakeUrl}/console/assets/app-1a2b3c.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect(await asset.text()).toBe('console.log("app");');
      const redirect = await fetch(`${stack.topology.intakeUrl}/console`, { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toBe('/console/');
    });

    it('answers a missing file 404 and never serves outside the build', async () => {
      const missing = await fetch(`${stack.topology.intakeUrl}/console/assets/nope.js`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      const escape = await fetch(`${stack.topology.intakeUrl}/console/..%2f..%2fetc%2fpasswd`);
      expect(await escape.text()).not.toContain('root:');
    });
  });

  describe('forwarding', () => {
    it("passes each service's paths on with the caller's key, and its answers back", async () => {
      const providers = await operator.get('/v1/providers');
      expect(providers.status).toBe(200);
      expect(providers.body.data.length).toBeGreaterThan(0);
      const health = await reader.get('/v1/providers/health?minutes=5');
      expect(health.status).toBe(200);
      const explain = await reader.get('/v1/routes/explain?to=%2B447400123456');
      expect(explain.status).toBe(200);
      // The router's own authorisation still applies: a read key may not list providers.
      const refused = await reader.get('/v1/providers');
      expect(refused.status).toBe(403);
      const anonymous = await fetch(`${stack.topology.intakeUrl}/v1/numbers`);
      expect(anonymous.status).toBe(401);
      // A POST's body reaches the opt-out service as sent, and the list shows it.
      const number = '+447400765432';
      const created = await operator.post('/v1/opt-outs', { number });
      expect(created.status).toBe(201);
      const history = await operator.get(`/v1/opt-outs/${encodeURIComponent(number)}/history`);
      expect(history.status).toBe(200);
      expect(history.body.data.length).toBeGreaterThan(0);
      const masks = await operator.get('/v1/masks/00000000-0000-4000-8000-000000000000');
      expect(masks.status).toBe(404);
      const receipts = await operator.get('/v1/admin/receipts/unmatched');
      expect(receipts.status).toBe(200);
    }, 60_000);

    it('answers 502 UPSTREAM_UNAVAILABLE while the service is down', async () => {
      const masking = stack.topology.processes.find((p) => p.name === 'masking');
      expect(masking).toBeDefined();
      masking!.child.kill('SIGKILL');
      await waitFor('masking to stop answering', async () => {
        try {
          await fetch(`${stack.serviceUrl('masking')}/healthz`);

          return false;
        } catch {
          return true;
        }
      });
      const answer = await operator.rawGet('/v1/masks/00000000-0000-4000-8000-000000000000');

      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
      await stack.topology.restart('masking');
    }, 120_000);
  });

  describe('a timeline across services', () => {
    it('shows the attempt, the raw receipt from dlr-ingest and the callback from dlr-processor', async () => {
      const sent = await operator.post('/v1/messages', {
        to: '+447400123456',
        body: 'distributed timeline',
        callbackUrl: receiver.url('/status'),
      });
      expect(sent.status).toBe(202);
      const id = sent.body.id;
      await operator.waitForMessage(id, (m) => m.status === 'delivered', 60_000);

      const timeline = await waitFor(
        'the receipt and a settled callback in the timeline',
        async () => {
          const answer = await reader.get(`/v1/messages/${id}/timeline`);

          return answer.status === 200 &&
            answer.body.receipts.length > 0 &&
            answer.body.callbacks.some((c) => c.settledAt !== null)
            ? answer.body
            : null;
        },
        60_000,
      );

      expect(timeline.unavailable).toEqual([]);
      expect(timeline.message.body).toBe('distributed timeline');
      expect(timeline.attempts[0]).toMatchObject({ attempt: 1, outcome: 'sent' });
      expect(timeline.receipts[0]?.body).toContain(String(timeline.message.providerMessageId));
      expect(timeline.route?.reason).toEqual(expect.any(String));
    }, 120_000);

    it('lists conversations and the overview through intake', async () => {
      const sim = stack.simulator;
      const from = '+447400222333';
      await inbound(sim, stack.serviceUrl('dlr-ingest'), from, POOL_NUMBER, 'hi');
      const threads = await waitFor(
        'the thread',
        async () => {
          const answer = await reader.rawGet<{ data: { theirNumber: string }[] }>('/v1/inbound/conversations');

          return answer.body.data.some((t) => t.theirNumber === from) ? answer.body.data : null;
        },
        60_000,
      );
      expect(threads.length).toBeGreaterThan(0);
      const overview = await reader.get('/v1/stats/overview?minutes=30');
      expect(overview.status).toBe(200);
      expect(overview.body.perMinute.length).toBeGreaterThan(0);
    }, 90_000);
  });
});
