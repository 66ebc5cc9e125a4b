import { Module } from '@nestjs/common';
import { metrics } from '@sms/metrics';
import { createServer } from 'node:net';
import { loadConfig } from '../config/app.config';
import { createHttpApp } from '../http/http-app.factory';
import { bearerMatches, startMetricsListener } from './metrics-endpoint';

const TOKEN = 'a-metrics-token-of-32-characters';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

@Module({})
class EmptyModule {}

const apiApp = async (env: Record<string, string>) => {
  const app = await createHttpApp({
    module: EmptyModule,
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    processName: 'metrics-spec',
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return app;
};

describe(bearerMatches.name, () => {
  it.each([
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    [`Bearer ${TOKEN}x`, false],
    [`Bearer ${TOKEN.slice(1)}`, false],
    [TOKEN, false],
    [`Basic ${TOKEN}`, false],
    ['', false],
    [undefined, false],
  ])('%s matches: %s', (header, expected) => {
    expect(bearerMatches(header, TOKEN)).toBe(expected);
  });
});

describe('/metrics on the API port', () => {
  it('is not served by default', async () => {
    const app = await apiApp({});
    const answer = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();

    expect(answer.statusCode).toBe(404);
    expect(answer.body).not.toContain('sms_http_requests_total');
  });

  it('is served behind METRICS_TOKEN: 401 without it or with another bearer, 200 with it', async () => {
    const app = await apiApp({ METRICS_TOKEN: TOKEN });
    const anonymous = await app.inject({ method: 'GET', url: '/metrics' });
    const wrong = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer other-token' },
    });
    const right = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    await app.close();

    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(anonymous.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(wrong.statusCode).toBe(401);
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('sms_http_requests_total');
  });

  it('refuses a token shorter than 16 characters at boot', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short-token' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short-token' })).not.toThrow(/short-token/);
  });
});

describe(startMetricsListener.name, () => {
  it('starts nothing when METRICS_PORT is 0 (the default)', async () => {
    expect(await startMetricsListener(loadConfig({}))).toBeNull();
  });

  it('serves /metrics alone on METRICS_HOST:METRICS_PORT, without a token when none is set', async () => {
    const port = await freePort();
    const listener = await startMetricsListener(loadConfig({ METRICS_PORT: String(port) }));
    try {
      expect(listener?.port).toBe(port);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('sms_http_requests_total');
      const other = await fetch(`http://127.0.0.1:${port}/v1/messages`);
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    } finally {
      await listener?.close();
    }
  });

  it('requires the token there too when METRICS_TOKEN is set', async () => {
    const port = await freePort();
    const listener = await startMetricsListener(loadConfig({ METRICS_PORT: String(port), METRICS_TOKEN: TOKEN }));
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(scraped.status).toBe(200);
    } finally {
      await listener?.close();
    }
  });
});

describe('metric labels', () => {
  it('the per-sender rate-limit delay is labelled by provider, never by number', async () => {
    metrics.rateLimitDelay.observe({ provider: 'twilio' }, 0.1);
    const metric = await metrics.rateLimitDelay.get();

    expect((metric as unknown as { labelNames?: string[] }).labelNames ?? []).not.toContain('sender');
    expect(metric.values.every((value) => !('sender' in value.labels))).toBe(true);
    expect(metric.values.some((value) => value.labels['provider'] === 'twilio')).toBe(true);
  });
});
