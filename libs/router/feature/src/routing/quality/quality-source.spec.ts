import { HOUR_MS } from './hourly-rollups';
import { emptyCounts, type QualityCounts, routeKeyString } from './quality-counts';
import { QualitySource } from './quality-source';
import { DEFAULT_WEIGHTS } from './score-weights';
import type { ShortBucketStore } from './short-buckets';

const NOW = Date.UTC(2026, 11, 7, 10, 30);
const GB_TWILIO = routeKeyString({ provider: 'twilio', country: 'GB', network: '' });

function counts(delivered: number, overdue: number): Map<string, QualityCounts> {
  return new Map([[GB_TWILIO, { ...emptyCounts(), sent: delivered + overdue, delivered, overdue }]]);
}

function sourceOver(options: { windowMs: number; historyDays: number }) {
  const short = { read: jest.fn(async () => counts(20, 0)) };
  const rollups = { read: jest.fn(async () => counts(0, 80)) };
  const source = new QualitySource(
    short as unknown as ShortBucketStore,
    rollups,
    { forCountry: async () => ({ scope: 'default', weights: DEFAULT_WEIGHTS }) },
    { ...options, refreshMs: 0 },
    undefined,
    () => NOW,
  );

  return { source, short, rollups };
}

describe('QualitySource', () => {
  it('reads the recent window it is given from the short buckets, and history up to that window', async () => {
    const { source, short, rollups } = sourceOver({ windowMs: 60_000, historyDays: 7 });

    const quality = await source.forCountry('GB');

    expect(short.read).toHaveBeenCalledWith(NOW - 60_000);
    const hourStart = Math.floor((NOW - 60_000) / HOUR_MS) * HOUR_MS;
    expect(rollups.read).toHaveBeenCalledWith(hourStart - 7 * 24 * HOUR_MS, hourStart);
    // Twenty recent deliveries weigh against eighty overdue in the history: the rate sits between.
    const rate = quality.routes.get('twilio')!.deliveryRate;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.9);
  });

  it('with no history days, scores the recent window alone and never reads the roll-ups', async () => {
    const { source, rollups } = sourceOver({ windowMs: 60_000, historyDays: 0 });

    const quality = await source.forCountry('GB');

    expect(rollups.read).not.toHaveBeenCalled();
    expect(quality.routes.get('twilio')).toMatchObject({ outcomes: 20, overdue: 0 });
    expect(quality.routes.get('twilio')!.deliveryRate).toBeGreaterThan(0.95);
  });
});
