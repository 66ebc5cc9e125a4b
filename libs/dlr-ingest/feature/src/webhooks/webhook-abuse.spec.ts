import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { metrics } from '@sms/metrics';
import { ApiError } from '@sms/platform';
import { createServiceDataSource } from '@sms/persistence';
import type { RawWebhook, SmsProvider } from '@sms/provider-port';
import { ProviderRegistry } from '@sms/providers';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';
import { DLR_INGEST_ENTITIES } from '../dlr-ingest.module';
import { RejectedSampler, SourceRateLimiter } from './source-rate-limit';
import { DEFAULT_WEBHOOK_INGEST_LIMITS, WebhookIngestService } from './webhook-ingest.service';
import { webhookRoutes } from './webhook-routes';

/** Signed unless the body starts with "forged"; the signed time is the `t` header (Unix seconds), if any. */
const timedProvider = {
  verifyWebhook: (webhook: RawWebhook) => !webhook.body.startsWith('forged'),
  carriesSignature: (webhook: RawWebhook) => webhook.headers['x-test-signature'] !== undefined,
  webhookSignedAt: (webhook: RawWebhook) =>
    webhook.headers['t'] === undefined ? undefined : new Date(Number(webhook.headers['t']) * 1000),
} as unknown as SmsProvider;

const receipt = (body: string, headers: Record<string, string> = { 'x-test-signature': 'sig' }): RawWebhook => ({
  url: 'https://gw.example.test/webhooks/test/status',
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
  contentType: 'application/json',
});

const counted = async (name: string, labels: Record<string, string>): Promise<number> => {
  const metric = [...(await metrics.dlrRejected.get()).values, ...(await metrics.dlrRejectedSampled.get()).values].map(
    (value) => {
      const all: Record<string, string | number | undefined> = { ...value.labels };

      return { value: value.value, labels: all };
    },
  );
  const wanted = metric.filter(
    (value) =>
      (name === 'rejected' ? value.labels['reason'] !== undefined : value.labels['reason'] === undefined) &&
      Object.entries(labels).every(([key, v]) => value.labels[key] === v),
  );

  return wanted.reduce((sum, value) => sum + value.value, 0);
};

describe('dlr-ingest under webhook abuse', () => {
  let dir: string;
  let dataSource: DataSource;
  let clock: number;
  const now = (): Date => new Date(clock);

  const ingestWith = (limits = DEFAULT_WEBHOOK_INGEST_LIMITS) => {
    const registry = new ProviderRegistry();
    registry.register('test', timedProvider);

    return new WebhookIngestService(dataSource, registry, { enqueue: () => undefined }, now, limits);
  };
  const rows = async (state: string): Promise<{ body: string }[]> =>
    dataSource.query('SELECT body FROM inbound_webhooks WHERE state = ?', [state]);

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'abuse-'));
    dataSource = await createServiceDataSource({
      service: 'dlr-ingest',
      database: { kind: 'sqlite', directory: dir },
      entities: DLR_INGEST_ENTITIES,
      migrations: [],
    }).initialize();
    clock = Date.parse('2026-11-22T10:00:00Z');
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a flood of forged posts grows the counter by every one, and stores only the minute’s sample, bodies cut', async () => {
    const ingest = ingestWith({ ...DEFAULT_WEBHOOK_INGEST_LIMITS, rejectedSamplePerMinute: 5, rejectedBodyChars: 100 });
    const before = await counted('rejected', { provider: 'test', reason: 'forged' });
    const big = `forged${'x'.repeat(60_000)}`;

    const results = await Promise.all(Array.from({ length: 200 }, () => ingest.ingest('test', 'status', receipt(big))));

    expect(results.every((result) => !result.verified && result.signed === true)).toBe(true);
    expect(results.filter((result) => result.stored === true)).toHaveLength(5);
    expect((await counted('rejected', { provider: 'test', reason: 'forged' })) - before).toBe(200);
    const stored = await rows('rejected');
    expect(stored).toHaveLength(5);
    expect(stored.every((row) => row.body.length === 100)).toBe(true);

    // The next minute samples again, still bounded.
    clock += 60_000;
    await Promise.all(Array.from({ length: 20 }, () => ingest.ingest('test', 'status', receipt('forged again'))));
    expect(await rows('rejected')).toHaveLength(10);
  });

  it('tells unsigned from forged in the counter, and keeps accepting signed receipts in full', async () => {
    const ingest = ingestWith();
    const unsignedBefore = await counted('rejected', { provider: 'test', reason: 'unsigned' });

    const unsigned = await ingest.ingest('test', 'status', receipt('forged', {}));
    const signed = await ingest.ingest('test', 'status', receipt(`{"ok":"${'y'.repeat(5_000)}"}`));

    expect(unsigned).toMatchObject({ verified: false, signed: false, stored: true });
    expect((await counted('rejected', { provider: 'test', reason: 'unsigned' })) - unsignedBefore).toBe(1);
    expect(signed).toMatchObject({ verified: true, duplicate: false });
    expect((await rows('accepted'))[0]?.body.length).toBeGreaterThan(5_000);
  });

  it('refuses a validly signed request whose signed time is outside the window, either way', async () => {
    const ingest = ingestWith({ ...DEFAULT_WEBHOOK_INGEST_LIMITS, maxSignedAgeMs: 300_000 });
    const at = (offsetSeconds: number) => ({ 'x-test-signature': 'sig', t: String(clock / 1000 + offsetSeconds) });

    const fresh = await ingest.ingest('test', 'status', receipt('{"n":1}', at(-299)));
    const old = await ingest.ingest('test', 'status', receipt('{"n":2}', at(-301)));
    const future = await ingest.ingest('test', 'status', receipt('{"n":3}', at(301)));
    const untimed = await ingest.ingest('test', 'status', receipt('{"n":4}'));

    expect(fresh).toMatchObject({ verified: true });
    expect(old).toMatchObject({ verified: false, expired: true, signed: true });
    expect(future).toMatchObject({ verified: false, expired: true });
    expect(untimed).toMatchObject({ verified: true });
    expect(await rows('accepted')).toHaveLength(2);
  });
});

describe('webhook routes: per-source rate limit', () => {
  let app: FastifyInstance;
  let ingested = 0;

  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof ApiError) {
        return reply.code(error.status).headers(error.headers).send(error.toBody());
      }

      return reply.code(500).send();
    });
    await app.register(
      webhookRoutes({
        ingest: {
          knows: (provider) => provider === 'test',
          ingest: async () => {
            ingested += 1;

            return { id: 'x', verified: true, duplicate: false };
          },
        },
        publicBaseUrl: 'http://127.0.0.1',
        rateLimit: { perSecond: 1, burst: 3 },
      }),
    );
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (ip: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/test/status',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });

  it('answers a source past its burst 429 with Retry-After, before the ingest, and other sources still pass', async () => {
    const before = await counted('rejected', { provider: 'test', reason: 'rate_limited' });
    const answers = [];
    for (let i = 0; i < 5; i++) {
      answers.push(await post('198.51.100.7'));
    }

    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3]?.headers['retry-after']).toBe('1');
    expect(answers[3]?.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(ingested).toBe(3);
    expect((await counted('rejected', { provider: 'test', reason: 'rate_limited' })) - before).toBe(2);
    expect((await post('198.51.100.8')).statusCode).toBe(200);
  });
});

describe(SourceRateLimiter.name, () => {
  it('refills at the rate, never above the burst, and forgets the longest-unseen source past its bound', () => {
    const limiter = new SourceRateLimiter(2, 2, 3);

    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0, 1]);
    expect(limiter.take('a', 500)).toBe(0);
    expect(limiter.take('a', 10_000)).toBe(0);
    expect(limiter.take('a', 10_000)).toBe(0);
    expect(limiter.take('a', 10_000)).toBe(1);
    for (const source of ['b', 'c', 'd']) {
      limiter.take(source, 10_000);
    }
    expect(limiter.size).toBe(3);
  });
});

describe(RejectedSampler.name, () => {
  it('takes the first N of each minute', () => {
    const sampler = new RejectedSampler(2);

    expect([sampler.take(0), sampler.take(1), sampler.take(2)]).toEqual([true, true, false]);
    expect(sampler.take(60_000)).toBe(true);
  });
});
