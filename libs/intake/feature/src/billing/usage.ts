import { dbValue, isMysql } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { textOf } from './charge-views';
import { formatMicros, storedMicros } from './money';
import type { UsageGroup, UsageQuery } from './usage-query';

/** One group's usage: the groups asked for, its currency, and the sums. */
export interface UsageRowView {
  readonly account?: string;
  readonly country?: string;
  readonly provider?: string;
  /** `YYYY-MM-DD`, the UTC day of the charges. */
  readonly day?: string;
  readonly currency: string;
  /** The sum of the charges, decimal string, exact. */
  readonly amount: string;
  /** The part of `amount` that is still estimated (the route's rates); the rest is provider-reported. */
  readonly estimated: string;
  readonly charges: number;
  readonly segments: number;
}

/** The body of GET /v1/usage (docs/api.md "Usage"). */
export interface UsageView {
  readonly from: string;
  readonly to: string;
  readonly groupBy: UsageGroup[];
  /** The account summed, or null for every account (an operator's `account=all`). */
  readonly account: string | null;
  readonly data: UsageRowView[];
}

interface UsageRowRead {
  account_id?: string;
  country?: string;
  provider?: string;
  day?: string | Date;
  currency: string;
  amount: string | number;
  estimated: string | number;
  charges: string | number;
  segments: string | number;
}

/**
 * Usage summed from message_charges by the time each attempt was charged, grouped in the database (one
 * statement; at most a row per group and currency comes back). Sums are of integer micro-units, read as
 * text, so they are exact however large.
 */
export class Usage {
  constructor(private readonly dataSource: DataSource) {}

  async read(query: UsageQuery): Promise<UsageView> {
    const mysql = isMysql(this.dataSource);
    const columns: Record<UsageGroup, string> = {
      account: 'account_id',
      country: 'country',
      provider: 'provider',
      day: mysql ? "DATE_FORMAT(charged_at, '%Y-%m-%d')" : 'substr(charged_at, 1, 10)',
    };
    const keys = query.groupBy.map((group) => `${columns[group]} AS ${group === 'account' ? 'account_id' : group}`);
    const grouping = [...query.groupBy.map((group) => columns[group]), 'currency'];
    const where = ['charged_at >= ?', 'charged_at < ?'];
    const parameters: unknown[] = [dbValue(this.dataSource, query.from), dbValue(this.dataSource, query.to)];
    if (query.accountId !== null) {
      where.unshift('account_id = ?');
      parameters.unshift(query.accountId);
    }
    const estimated = 'SUM(CASE WHEN final = 0 THEN amount_micros ELSE 0 END)';
    const rows = await this.dataSource.query<UsageRowRead[]>(
      `SELECT ${[...keys, 'currency'].join(', ')}, ${textOf(this.dataSource, 'SUM(amount_micros)')} AS amount,
        ${textOf(this.dataSource, estimated)} AS estimated, COUNT(*) AS charges, SUM(segments) AS segments
       FROM message_charges WHERE ${where.join(' AND ')}
       GROUP BY ${grouping.join(', ')} ORDER BY ${grouping.join(', ')}`,
      parameters,
    );

    return {
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      groupBy: [...query.groupBy],
      account: query.accountId,
      data: rows.map((row) => toRowView(row, query.groupBy)),
    };
  }
}

function toRowView(row: UsageRowRead, groups: readonly UsageGroup[]): UsageRowView {
  return {
    ...(groups.includes('account') && { account: String(row.account_id) }),
    ...(groups.includes('country') && { country: String(row.country) }),
    ...(groups.includes('provider') && { provider: String(row.provider) }),
    ...(groups.includes('day') && { day: String(row.day).slice(0, 10) }),
    currency: row.currency,
    amount: formatMicros(storedMicros(row.amount)),
    estimated: formatMicros(storedMicros(row.estimated)),
    charges: Number(row.charges),
    segments: Number(row.segments),
  };
}
