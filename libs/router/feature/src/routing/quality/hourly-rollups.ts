import type { DataSource } from 'typeorm';
import {
  emptyCounts,
  ERROR_CLASSES,
  LATENCY_BINS,
  parseRouteKey,
  type QualityCounts,
  routeKeyString,
} from './quality-counts';
import type { QualitySink } from './quality-tracker';

export const HOUR_MS = 3_600_000;

const ERROR_COLUMNS = ERROR_CLASSES.map((cls) => `err_${cls}`);
const LATENCY_COLUMNS = Array.from({ length: LATENCY_BINS }, (_, i) => `lat_${i}`);
/** Every count column, in the order valuesOf lists them. */
const COUNT_COLUMNS = ['sent', 'delivered', 'undelivered', 'overdue', ...ERROR_COLUMNS, ...LATENCY_COLUMNS];
const KEY_COLUMNS = ['provider_id', 'country', 'network', 'hour_start'];

const valuesOf = (c: QualityCounts): number[] => [
  c.sent,
  c.delivered,
  c.undelivered,
  c.overdue,
  ...ERROR_CLASSES.map((cls) => c.errors[cls]),
  ...c.latency,
];

/**
 * The hourly roll-ups in the router's slice (`route_quality_hourly`): each flush adds its bucket to the
 * hour's row with one multi-row upsert (`col = col + new`), MariaDB and SQLite alike; reads sum the hours
 * of a window per route in SQL.
 */
export class HourlyRollups implements QualitySink {
  private readonly mysql: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.mysql = dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
  }

  async add(bucketStart: number, counts: ReadonlyMap<string, QualityCounts>): Promise<void> {
    const hour = Math.floor(bucketStart / HOUR_MS) * HOUR_MS;
    const rows: unknown[] = [];
    let tuples = 0;
    for (const [key, value] of counts) {
      const route = parseRouteKey(key);
      if (!route) {
        continue;
      }
      rows.push(route.provider, route.country, route.network, hour, ...valuesOf(value));
      tuples++;
    }
    if (tuples === 0) {
      return;
    }
    const columns = [...KEY_COLUMNS, ...COUNT_COLUMNS];
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const update = this.mysql
      ? `ON DUPLICATE KEY UPDATE ${COUNT_COLUMNS.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`
      : `ON CONFLICT (${KEY_COLUMNS.join(', ')}) DO UPDATE SET ${COUNT_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
    await this.dataSource.query(
      `INSERT INTO route_quality_hourly (${columns.join(', ')}) VALUES ${Array(tuples).fill(tuple).join(', ')} ${update}`,
      rows,
    );
  }

  /** Per route key, the sum of the hours that started in [from, to). */
  async read(from: number, to: number): Promise<Map<string, QualityCounts>> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT provider_id, country, network, ${COUNT_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')}
         FROM route_quality_hourly WHERE hour_start >= ? AND hour_start < ?
         GROUP BY provider_id, country, network`,
      [from, to],
    );
    const out = new Map<string, QualityCounts>();
    for (const row of rows) {
      const counts = emptyCounts();
      const n = (column: string): number => Number(row[column] ?? 0);
      counts.sent = n('sent');
      counts.delivered = n('delivered');
      counts.undelivered = n('undelivered');
      counts.overdue = n('overdue');
      for (const cls of ERROR_CLASSES) {
        counts.errors[cls] = n(`err_${cls}`);
      }
      counts.latency = LATENCY_COLUMNS.map(n);
      const key = routeKeyString({
        provider: String(row['provider_id']),
        country: String(row['country']),
        network: typeof row['network'] === 'string' ? row['network'] : '',
      });
      out.set(key, counts);
    }

    return out;
  }
}
