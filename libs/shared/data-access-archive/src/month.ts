/** A UTC calendar month written 'YYYY-MM' (the ports' unit of retention). */
const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export class InvalidMonthError extends Error {
  constructor(month: string) {
    super(`month must be YYYY-MM (a UTC calendar month), got ${JSON.stringify(month)}`);
  }
}

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

/** The first instant of `month` and the first instant of the next one, both UTC. */
export function monthBounds(month: string): { readonly start: Date; readonly end: Date } {
  const match = MONTH_PATTERN.exec(month);
  if (!match) {
    throw new InvalidMonthError(month);
  }
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;

  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

export function monthOf(instant: Date): string {
  return `${instant.getUTCFullYear()}-${String(instant.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function nextMonth(month: string): string {
  return monthOf(monthBounds(month).end);
}

/**
 * The month a UUIDv7 was minted in (its first 48 bits are Unix milliseconds), or null for any other
 * string: message ids are UUIDv7, so the month of a message that left the hot ledger is known from its id.
 */
export function monthOfUuidV7(id: string): string | null {
  // Version 8 too: a regional message id keeps the v7 time layout (docs/regions.md).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[78][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) {
    return null;
  }
  const millis = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

  return monthOf(new Date(millis));
}

/**
 * The months whose last instant is at least `hotDays` days before `now`: they have left the hot window
 * (the rule the partition maintenance applies before dropping a partition).
 */
export function lastRetiredMonth(now: Date, hotDays: number): string {
  const cutoff = new Date(now.getTime() - hotDays * 86_400_000);
  // The month holding the cutoff is still partly hot; the one before it is the newest wholly cold month.
  const holding = monthOf(cutoff);
  const { start } = monthBounds(holding);

  return monthOf(new Date(start.getTime() - 1));
}
