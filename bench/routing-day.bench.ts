/**
 * A day of synthetic receipts through the real route-quality store and decider (issue #23): three GB
 * routes of different price and quality, whose quality changes over the day, routed minute by minute
 * under three weight settings. Prints cost per message and delivery rate per setting (docs/routing.md).
 *
 *   npm run bench -- --only=routing-day
 *
 * In-process and deterministic (seeded): the tracker, short buckets, estimate and decider are the
 * router's own; the hourly roll-ups are kept in memory instead of SQL (the same sums).
 */
import { randomUUID } from 'node:crypto';
import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { RouteDecider } from '../libs/router/feature/src/routing/decision/route-decider';
import { HOUR_MS } from '../libs/router/feature/src/routing/quality/hourly-rollups';
import { addCounts, emptyCounts, type QualityCounts } from '../libs/router/feature/src/routing/quality/quality-counts';
import { QualitySource } from '../libs/router/feature/src/routing/quality/quality-source';
import { QualityTracker } from '../libs/router/feature/src/routing/quality/quality-tracker';
import { type ScoreWeights, WEIGHT_PRESETS } from '../libs/router/feature/src/routing/quality/score-weights';
import { MemoryShortBuckets } from '../libs/router/feature/src/routing/quality/short-buckets';
import { poolNumber, poolRate, routeRequest } from '../libs/router/feature/src/routing/routing.fixtures';
import { buildRouteSnapshot } from '../libs/router/feature/src/routing/snapshot/route-snapshot';

const MINUTE = 60_000;
const DAY_START = Date.parse('2026-12-01T00:00:00Z');
const MESSAGES_PER_MINUTE = 50;

/** A route's true behaviour at an hour of the day: what the simulation draws outcomes from. */
interface RouteTruth {
  readonly price: string;
  /** P(delivered), P(no receipt at all) and the median receipt latency, by hour of day. */
  behaviour(hour: number): { delivered: number; silent: number; latencyMs: number };
}

/**
 * budget: cheapest, fair until 08:00, then its carrier degrades (09-15 h: 45% delivered, 10% never
 * answer) and recovers; standard: steady; premium: dearest and best, but its receipts slow to minutes in
 * the evening peak (18-22 h).
 */
const ROUTES: Record<string, RouteTruth> = {
  budget: {
    price: '0.0300',
    behaviour: (h) =>
      h >= 9 && h < 15
        ? { delivered: 0.45, silent: 0.1, latencyMs: 8_000 }
        : { delivered: 0.88, silent: 0.02, latencyMs: 4_000 },
  },
  standard: { price: '0.0380', behaviour: () => ({ delivered: 0.94, silent: 0.01, latencyMs: 3_000 }) },
  premium: {
    price: '0.0520',
    behaviour: (h) =>
      h >= 18 && h < 22
        ? { delivered: 0.99, silent: 0.0, latencyMs: 240_000 }
        : { delivered: 0.99, silent: 0.0, latencyMs: 1_500 },
  },
};

export interface RoutingDayRow {
  readonly setting: string;
  readonly weights: ScoreWeights;
  readonly messages: number;
  readonly costPerMessage: number;
  /** Cost per delivered message: what a delivered message really cost. */
  readonly costPerDelivered: number;
  readonly deliveryRate: number;
  /** Share of messages each route carried. */
  readonly share: Record<string, number>;
}

/** mulberry32: a small seeded PRNG, so every run replays the same day. */
function rng(seed: number): () => number {
  let a = seed;

  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Hourly roll-ups as the SQL table sums them, in memory. */
class MemoryRollups {
  private readonly hours = new Map<number, Map<string, QualityCounts>>();

  add(bucketStart: number, counts: ReadonlyMap<string, QualityCounts>): Promise<void> {
    const hour = Math.floor(bucketStart / HOUR_MS) * HOUR_MS;
    const row = this.hours.get(hour) ?? new Map<string, QualityCounts>();
    for (const [key, value] of counts) {
      row.set(key, addCounts(row.get(key) ?? emptyCounts(), value));
    }
    this.hours.set(hour, row);

    return Promise.resolve();
  }

  read(from: number, to: number): Promise<Map<string, QualityCounts>> {
    const out = new Map<string, QualityCounts>();
    for (const [hour, row] of this.hours) {
      if (hour >= from && hour < to) {
        for (const [key, value] of row) {
          out.set(key, addCounts(out.get(key) ?? emptyCounts(), value));
        }
      }
    }

    return Promise.resolve(out);
  }
}

const statusEvent = (
  messageId: string,
  provider: string,
  kind: StatusEventKind,
  source: StatusEventSource,
  at: number,
): StatusChangedV1 => ({
  eventId: randomUUID(),
  messageId,
  kind,
  source,
  attempt: 1,
  provider,
  providerMessageId: null,
  errorCode: kind === StatusEventKind.Unknown ? 'RECEIPT_TIMEOUT' : null,
  errorMessage: null,
  errorClass: kind === StatusEventKind.Undelivered ? 'permanent' : null,
  ambiguous: null,
  cost: null,
  currency: null,
  detail: null,
  country: source === StatusEventSource.SendWorker ? 'GB' : null,
  occurredAt: new Date(at).toISOString(),
});

/** One day under one weight setting. */
async function simulateDay(setting: string, weights: ScoreWeights): Promise<RoutingDayRow> {
  const random = rng(23);
  let now = DAY_START;
  const short = new MemoryShortBuckets(HOUR_MS);
  const rollups = new MemoryRollups();
  const tracker = new QualityTracker([short, rollups], { bucketMs: MINUTE, receiptDeadlineMs: HOUR_MS }, () => now);
  const source = new QualitySource(
    short,
    rollups,
    { forCountry: () => Promise.resolve({ scope: setting, weights }) },
    { windowMs: HOUR_MS, historyDays: 7, refreshMs: 0 },
    undefined,
    () => now,
  );
  const providers = Object.keys(ROUTES);
  const base = buildRouteSnapshot(
    providers,
    providers.map((p, i) => poolNumber(`+4474000000${10 + i}`, p, 'GB')),
    providers.map((p) => poolRate(p, 'GB', ROUTES[p]!.price)),
    [],
    false,
  );
  const decider = new RouteDecider();
  /** Receipts and reconciliation answers due later, by time. */
  const due: { at: number; event: StatusChangedV1 }[] = [];
  const carried: Record<string, number> = Object.fromEntries(providers.map((p) => [p, 0]));
  let cost = 0;
  let delivered = 0;
  let messages = 0;

  for (let minute = 0; minute < 24 * 60; minute++) {
    now = DAY_START + minute * MINUTE;
    const hour = Math.floor(minute / 60);
    const snapshot = { ...base, quality: await source.forCountry('GB'), derived: new Map() };
    const plan = decider.plan(routeRequest(), snapshot, new Map());
    if (plan.kind !== 'route') {
      throw new Error(`no route at minute ${minute}`);
    }
    const provider = plan.best.providerId;
    const truth = ROUTES[provider]!.behaviour(hour);
    for (let i = 0; i < MESSAGES_PER_MINUTE; i++) {
      const messageId = randomUUID();
      const sentAt = now + Math.floor((i * MINUTE) / MESSAGES_PER_MINUTE);
      tracker.observe(statusEvent(messageId, provider, StatusEventKind.Sent, StatusEventSource.SendWorker, sentAt));
      messages++;
      carried[provider]!++;
      cost += Number(ROUTES[provider]!.price);
      const draw = random();
      if (draw < truth.silent) {
        // No receipt: reconciliation reports it an hour later.
        due.push({
          at: sentAt + HOUR_MS,
          event: statusEvent(
            messageId,
            provider,
            StatusEventKind.Unknown,
            StatusEventSource.Reconcile,
            sentAt + HOUR_MS,
          ),
        });
        continue;
      }
      const ok = draw < truth.silent + truth.delivered;
      delivered += ok ? 1 : 0;
      // Latency: the median × a log-normal spread (σ ≈ 0.5).
      const spread = Math.exp(0.5 * Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random()));
      const at = sentAt + Math.round(truth.latencyMs * spread);
      const kind = ok ? StatusEventKind.Delivered : StatusEventKind.Undelivered;
      due.push({ at, event: statusEvent(messageId, provider, kind, StatusEventSource.Dlr, at) });
    }
    // The minute ends: every receipt due by then is consumed, and the bucket flushes.
    now += MINUTE;
    due.sort((a, b) => a.at - b.at);
    while (due.length > 0 && due[0]!.at <= now) {
      tracker.observe(due.shift()!.event);
    }
    await tracker.flush();
  }

  return {
    setting,
    weights,
    messages,
    costPerMessage: cost / messages,
    costPerDelivered: cost / Math.max(1, delivered),
    deliveryRate: delivered / messages,
    share: Object.fromEntries(providers.map((p) => [p, carried[p]! / messages])),
  };
}

export async function runRoutingDayBench(): Promise<RoutingDayRow[]> {
  const rows: RoutingDayRow[] = [];
  for (const [setting, weights] of Object.entries(WEIGHT_PRESETS)) {
    rows.push(await simulateDay(setting, weights));
  }

  return rows;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function formatRoutingDay(rows: readonly RoutingDayRow[]): string {
  const lines = [
    '| setting | weights (cost / delivery / latency / errors) | cost per message (USD) | cost per delivered (USD) | delivered | budget / standard / premium share |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const w = r.weights;
    lines.push(
      `| ${r.setting} | ${w.cost} / ${w.delivery} / ${w.latency} / ${w.errors} | ${r.costPerMessage.toFixed(4)} | ${r.costPerDelivered.toFixed(4)} | ${pct(r.deliveryRate)} | ${pct(r.share['budget'] ?? 0)} / ${pct(r.share['standard'] ?? 0)} / ${pct(r.share['premium'] ?? 0)} |`,
    );
  }

  return lines.join('\n');
}

if (require.main === module) {
  void runRoutingDayBench().then((rows) => process.stdout.write(`${formatRoutingDay(rows)}\n`));
}
