import { dbValue } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import type { FiringAlert } from './gateway-alerts';

/** Most ledger rows one overview reads: a bounded, indexed range of the account's newest messages. */
export const OVERVIEW_MAX_ROWS = 50_000;

export interface RouteStats {
  readonly provider: string;
  readonly country: string;
  readonly sent: number;
  readonly delivered: number;
  readonly deliveryRate: number | null;
  readonly receiptLatencyMs: { readonly p50: number | null; readonly p95: number | null };
}

/** The body of GET /v1/stats/overview (api.md "Overview"). */
export interface OverviewView {
  readonly minutes: number;
  readonly since: string;
  readonly perMinute: { readonly minute: string; readonly counts: Record<string, number> }[];
  readonly routes: RouteStats[];
  readonly spendToday: { readonly amount: string | null; readonly currency: string };
  readonly alerts: FiringAlert[];
  /** True when the window held more messages than were read (the newest OVERVIEW_MAX_ROWS were). */
  readonly sampled: boolean;
}

interface LedgerRow {
  status: string;
  provider: string | null;
  country: string;
  created_at: Date | string;
  sent_at: Date | string | null;
  delivered_at: Date | string | null;
}

export interface OverviewSources {
  readonly spendToday: (accountId: string) => Promise<{ amount: string | null; currency: string }>;
  readonly alerts: () => Promise<FiringAlert[]>;
}

const MINUTE_MS = 60_000;

const asMs = (value: Date | string): number =>
  value instanceof Date ? value.getTime() : Date.parse(/[zZ]$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);

/** The value at quantile `q` of sorted values (nearest rank), null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) {
    return null;
  }

  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/** Per-minute counts and per-route figures from the ledger rows of one window (pure, for tests). */
export function summarise(rows: readonly LedgerRow[]): Pick<OverviewView, 'perMinute' | 'routes'> {
  const minutes = new Map<number, Record<string, number>>();
  const routes = new Map<
    string,
    { provider: string; country: string; sent: number; delivered: number; latencies: number[] }
  >();
  for (const row of rows) {
    const minute = Math.floor(asMs(row.created_at) / MINUTE_MS) * MINUTE_MS;
    const counts = minutes.get(minute) ?? {};
    counts[row.status] = (counts[row.status] ?? 0) + 1;
    minutes.set(minute, counts);
    if (row.provider === null || row.sent_at === null) {
      continue;
    }
    const key = `${row.provider}\u0000${row.country}`;
    const route = routes.get(key) ?? {
      provider: row.provider,
      country: row.country,
      sent: 0,
      delivered: 0,
      latencies: [],
    };
    route.sent += 1;
    if (row.status === 'delivered' && row.delivered_at !== null) {
      route.delivered += 1;
      route.latencies.push(Math.max(0, asMs(row.delivered_at) - asMs(row.sent_at)));
    }
    routes.set(key, route);
  }

  return {
    perMinute: [...minutes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([minute, counts]) => ({ minute: new Date(minute).toISOString(), counts })),
    routes: [...routes.values()]
      .sort((a, b) => b.sent - a.sent || a.provider.localeCompare(b.provider) || a.country.localeCompare(b.country))
      .map(({ latencies, ...route }) => {
        const sorted = [...latencies].sort((a, b) => a - b);

        return {
          ...route,
          deliveryRate: route.sent === 0 ? null : route.delivered / route.sent,
          receiptLatencyMs: { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) },
        };
      }),
  };
}

/**
 * The account's recent traffic for the console's overview: one range read of `ix_sms_messages_account_created`
 * over the window (newest first, bounded), the day's spend counter and the alerts this process sees.
 */
export class Overview {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sources: OverviewSources,
    private readonly now: () => number = Date.now,
  ) {}

  async read(accountId: string, minutes: number): Promise<OverviewView> {
    const since = new Date(Math.floor((this.now() - minutes * MINUTE_MS) / MINUTE_MS) * MINUTE_MS);
    const [rows, spendToday, alerts] = await Promise.all([
      this.dataSource.query<LedgerRow[]>(
        `SELECT status, provider, country, created_at, sent_at, delivered_at FROM sms_messages
          WHERE account_id = ? AND created_at >= ? ORDER BY created_at DESC LIMIT ${OVERVIEW_MAX_ROWS + 1}`,
        [accountId, dbValue(this.dataSource, since)],
      ),
      this.sources.spendToday(accountId),
      this.sources.alerts(),
    ]);
    const sampled = rows.length > OVERVIEW_MAX_ROWS;

    return {
      minutes,
      since: since.toISOString(),
      ...summarise(sampled ? rows.slice(0, OVERVIEW_MAX_ROWS) : rows),
      spendToday,
      alerts,
      sampled,
    };
  }
}
