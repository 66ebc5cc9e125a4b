/**
 * The windows limits are counted in, all in UTC: the current second (messages per second), the
 * calendar day (messages, segments and spend per day) and the calendar month (spend per month). Each
 * window is a counter key of its own, so a new window starts from 0 without anything being reset, and
 * every replica that agrees on the time agrees on the key.
 */
export interface LimitWindows {
  /** Epoch second, e.g. `1796558400`. */
  readonly second: string;
  /** `YYYYMMDD`. */
  readonly day: string;
  /** `YYYYMM`. */
  readonly month: string;
  /** Whole seconds until each window ends (at least 1): the Retry-After of a refusal in it. */
  readonly secondsLeft: { readonly second: number; readonly day: number; readonly month: number };
}

/** Counter TTLs: each outlives its window, so a counter is never dropped while its window is current. */
export const WINDOW_TTL_MS = {
  second: 2_000,
  day: 2 * 24 * 3600 * 1000,
  month: 32 * 24 * 3600 * 1000,
} as const;

export function windowsAt(nowMs: number): LimitWindows {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const date = now.getUTCDate();
  const nextDay = Date.UTC(year, month, date + 1);
  const nextMonth = Date.UTC(year, month + 1, 1);
  const left = (end: number): number => Math.max(1, Math.ceil((end - nowMs) / 1000));

  return {
    second: String(Math.floor(nowMs / 1000)),
    day: `${year}${pad(month + 1)}${pad(date)}`,
    month: `${year}${pad(month + 1)}`,
    secondsLeft: { second: 1, day: left(nextDay), month: left(nextMonth) },
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Who a counter counts: the whole account, or one API key's own traffic. */
export type CounterScope = { readonly account: string } | { readonly key: string };

export type CounterKind = 'messages-second' | 'messages-day' | 'segments-day' | 'spend-day' | 'spend-month';

export function counterKey(namespace: string, scope: CounterScope, kind: CounterKind, window: string): string {
  const owner = 'account' in scope ? `a:${scope.account}` : `k:${scope.key}`;

  return `${namespace}limits:${owner}:${kind}:${window}`;
}
