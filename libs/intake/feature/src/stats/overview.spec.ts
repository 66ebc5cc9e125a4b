import { quantile, summarise } from './overview';

describe(summarise.name, () => {
  it('counts per minute by status, and per route the sent, delivered and receipt latency', () => {
    const row = (
      status: string,
      created: string,
      sent: string | null,
      delivered: string | null,
      provider = 'twilio',
    ) => ({
      status,
      provider: sent === null ? null : provider,
      country: 'GB',
      created_at: created,
      sent_at: sent,
      delivered_at: delivered,
    });
    const result = summarise([
      row('delivered', '2026-01-01 12:00:10.000', '2026-01-01 12:00:11.000', '2026-01-01 12:00:12.000'),
      row('delivered', '2026-01-01 12:00:50.000', '2026-01-01 12:00:51.000', '2026-01-01 12:00:55.000'),
      row('undelivered', '2026-01-01 12:01:00.000', '2026-01-01 12:01:01.000', null),
      row('queued', '2026-01-01 12:01:30.000', null, null),
    ]);

    expect(result.perMinute).toEqual([
      { minute: '2026-01-01T12:00:00.000Z', counts: { delivered: 2 } },
      { minute: '2026-01-01T12:01:00.000Z', counts: { undelivered: 1, queued: 1 } },
    ]);
    expect(result.routes).toEqual([
      {
        provider: 'twilio',
        country: 'GB',
        sent: 3,
        delivered: 2,
        deliveryRate: 2 / 3,
        receiptLatencyMs: { p50: 1000, p95: 4000 },
      },
    ]);
  });
});

describe(quantile.name, () => {
  it('takes the nearest rank, null for none', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([5], 0.95)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
  });
});
