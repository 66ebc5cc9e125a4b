/**
 * UTC calendar months as the partitions and the archive name them: 'YYYY-MM' (archive.ports.ts), and
 * `pYYYYMM` for the partition holding that month's rows.
 */

const MONTH = /^(\d{4})-(\d{2})$/;
const PARTITION = /^p(\d{4})(\d{2})$/;

/** The month `at` falls in (UTC). */
export function monthOf(at: Date): string {
  return `${at.getUTCFullYear().toString().padStart(4, '0')}-${(at.getUTCMonth() + 1).toString().padStart(2, '0')}`;
}

/** The first instant of `month` (UTC). Throws on anything but 'YYYY-MM'. */
export function monthStart(month: string): Date {
  const match = MONTH.exec(month);
  const monthIndex = match ? Number(match[2]) - 1 : -1;
  if (!match || monthIndex < 0 || monthIndex > 11) {
    throw new Error(`not a month: '${month}' (expected YYYY-MM)`);
  }

  return new Date(Date.UTC(Number(match[1]), monthIndex, 1));
}

/** The month `count` months after `month` (negative goes back). */
export function addMonths(month: string, count: number): string {
  const start = monthStart(month);

  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + count, 1)));
}

/** The first instant after `month`: the partition's `VALUES LESS THAN` bound. */
export const monthEnd = (month: string): Date => monthStart(addMonths(month, 1));

/** Every month from `first` to `last`, both included, in order. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let month = first; month <= last; month = addMonths(month, 1)) {
    months.push(month);
  }

  return months;
}

export const partitionNameOf = (month: string): string => `p${month.replace('-', '')}`;

/** The month a `pYYYYMM` partition holds, or null for any other name (the catch-all). */
export function monthOfPartition(name: string): string | null {
  const match = PARTITION.exec(name);

  return match ? `${match[1]}-${match[2]}` : null;
}

/** A MySQL DATETIME literal of a UTC instant, as the partition bounds are written. */
export const sqlDateTime = (at: Date): string => at.toISOString().slice(0, 19).replace('T', ' ');
