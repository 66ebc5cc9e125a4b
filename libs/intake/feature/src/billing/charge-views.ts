import type { DataSource } from 'typeorm';
import { formatMicros, storedMicros, toMicros } from './money';

/** One attempt's charge as the API shows it (docs/api.md, docs/billing.md). */
export interface ChargeView {
  readonly attempt: number;
  readonly provider: string;
  readonly sender: string | null;
  readonly country: string;
  readonly network: string | null;
  readonly segments: number;
  /** Per segment; null when a provider priced the whole message and did not say per part. */
  readonly unitPrice: string | null;
  readonly amount: string;
  readonly currency: string;
  /** `provider`: the provider reported it; `rate`: the route's rate times the segments. */
  readonly source: string;
  /** False for an estimate that a provider-reported price may still replace. */
  readonly final: boolean;
  readonly chargedAt: string;
}

/** A message's cost in one currency: the sum of its charges in it. */
export interface CostView {
  readonly total: string;
  readonly currency: string;
}

interface ChargeRowRead {
  message_id: string;
  attempt: number | string;
  provider: string;
  sender: string | null;
  country: string;
  network: string | null;
  segments: number | string;
  unit_price_micros: string | number | null;
  amount_micros: string | number;
  currency: string;
  price_source: string;
  final: number | boolean | string;
  charged_at: Date | string;
}

/** Most messages per read (a search page is at most 1000): one IN list each. */
const IDS_PER_READ = 1000;

/** The charges of these messages, by message id, in attempt order. */
export async function chargesOf(dataSource: DataSource, ids: readonly string[]): Promise<Map<string, ChargeView[]>> {
  const charges = new Map<string, ChargeView[]>();
  for (let start = 0; start < ids.length; start += IDS_PER_READ) {
    const chunk = ids.slice(start, start + IDS_PER_READ);
    const rows = await dataSource.query<ChargeRowRead[]>(
      `SELECT message_id, attempt, provider, sender, country, network, segments,
        ${textOf(dataSource, 'unit_price_micros')} AS unit_price_micros, ${textOf(dataSource, 'amount_micros')} AS amount_micros,
        currency, price_source, final, charged_at
       FROM message_charges WHERE message_id IN (${chunk.map(() => '?').join(',')}) ORDER BY message_id, attempt`,
      chunk,
    );
    for (const row of rows) {
      const list = charges.get(row.message_id) ?? [];
      list.push(toChargeView(row));
      charges.set(row.message_id, list);
    }
  }

  return charges;
}

/**
 * A stored integer read as text: mysql2 gives BIGINT as a number unless told otherwise, better-sqlite3 as a
 * number, and neither is exact past 2^53.
 */
export const textOf = (dataSource: DataSource, expression: string): string =>
  dataSource.options.type === 'better-sqlite3' ? `CAST(${expression} AS TEXT)` : `CAST(${expression} AS CHAR)`;

function toChargeView(row: ChargeRowRead): ChargeView {
  return {
    attempt: Number(row.attempt),
    provider: row.provider,
    sender: row.sender,
    country: row.country,
    network: row.network,
    segments: Number(row.segments),
    unitPrice: row.unit_price_micros === null ? null : formatMicros(storedMicros(row.unit_price_micros)),
    amount: formatMicros(storedMicros(row.amount_micros)),
    currency: row.currency,
    source: row.price_source,
    final: Number(row.final) === 1 || row.final === true,
    chargedAt: storedDate(row.charged_at).toISOString(),
  };
}

/** The sum of the charges per currency, in the order the currencies were first charged. */
export function totalsOf(charges: readonly ChargeView[]): CostView[] {
  const sums = new Map<string, bigint>();
  for (const charge of charges) {
    sums.set(charge.currency, (sums.get(charge.currency) ?? 0n) + (toMicros(charge.amount) ?? 0n));
  }

  return [...sums].map(([currency, micros]) => ({ total: formatMicros(micros), currency }));
}

/** A stored datetime: a Date from mysql2, a UTC `YYYY-MM-DD HH:MM:SS.mmm` string from SQLite. */
function storedDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}
