import type { ProviderHealth } from '../routing/decision/health-view';
import { HEALTH_HISTORY_POINTS, HealthHistory } from './health-history';

const health = (fields: Partial<ProviderHealth> = {}): ProviderHealth => ({
  attempts: 10,
  errorRate: 0,
  deliveryRate: null,
  latencyMs: 100.4,
  streak: 0,
  unhealthy: false,
  ...fields,
});

describe(HealthHistory.name, () => {
  it('keeps a sample a call and answers the window with a point taken now', async () => {
    let now = Date.parse('2026-01-01T12:00:00Z');
    let current = new Map([['twilio', health()]]);
    const history = new HealthHistory(
      async () => current,
      () => undefined,
      () => now,
    );

    await history.sample();
    now += 60_000;
    current = new Map([['twilio', health({ errorRate: 0.5, unhealthy: true })]]);
    await history.sample();
    now += 60_000;
    const [series] = await history.over(60);

    expect(series?.provider).toBe('twilio');
    expect(series?.points.map((p) => [p.at, p.circuit, p.errorRate, p.latencyMs])).toEqual([
      ['2026-01-01T12:00:00.000Z', 'closed', 0, 100],
      ['2026-01-01T12:01:00.000Z', 'open', 0.5, 100],
      ['2026-01-01T12:02:00.000Z', 'open', 0.5, 100],
    ]);
    expect((await history.over(1))[0]?.points).toHaveLength(2);
  });

  it('keeps at most a day of samples per provider', async () => {
    let now = 0;
    const history = new HealthHistory(
      async () => new Map([['sinch', health()]]),
      () => undefined,
      () => now,
    );
    for (let i = 0; i < HEALTH_HISTORY_POINTS + 10; i++) {
      now += 60_000;
      await history.sample();
    }

    const [series] = await history.over(100_000);

    expect(series?.points).toHaveLength(HEALTH_HISTORY_POINTS + 1);
  });

  it('leaves a gap when a sample cannot be read, and says so', async () => {
    const errors: unknown[] = [];
    const history = new HealthHistory(
      async () => {
        throw new Error('redis down');
      },
      (error) => errors.push(error),
    );

    await history.sample();

    expect(errors).toHaveLength(1);
  });
});
