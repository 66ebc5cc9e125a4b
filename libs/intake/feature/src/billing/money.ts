/**
 * Money as integer micro-units (1e-6 of the currency unit), the form charges are stored and summed in:
 * sums of integers are exact in SQL and in JavaScript (bigint), where decimal strings summed as floats drift
 * (0.1 + 0.2). Six decimals hold every price the providers report per message (Twilio five, Vonage eight of
 * which only the first few are ever non-zero) and the rate tables' prices (six at most).
 */
export const MICROS_PER_UNIT = 1_000_000n;

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

/**
 * A non-negative decimal string as micro-units; null when it is not one. Digits past the sixth decimal are
 * rounded half up: a provider's `0.03330000` is exact, and a price finer than a millionth is not billed.
 */
export function toMicros(text: string | null | undefined): bigint | null {
  const match = typeof text === 'string' ? DECIMAL.exec(text) : null;
  if (!match) {
    return null;
  }
  const [, whole = '0', fraction = ''] = match;
  const kept = BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  const roundsUp = (fraction[6] ?? '0') >= '5';

  return BigInt(whole) * MICROS_PER_UNIT + kept + (roundsUp ? 1n : 0n);
}

/**
 * Micro-units as a decimal string with at least two decimals and no trailing zeros past them
 * (`40000` → `0.04`, `22650` → `0.02265`, `3000000` → `3.00`): exact, and the same text for the same amount.
 */
export function formatMicros(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const units = magnitude / MICROS_PER_UNIT;
  const fraction = (magnitude % MICROS_PER_UNIT).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');

  return `${negative ? '-' : ''}${units}.${fraction}`;
}

/** A stored integer (mysql2 returns BIGINT and SUM as strings, SQLite as numbers) as a bigint. */
export function storedMicros(value: string | number | bigint | null): bigint {
  if (value === null) {
    return 0n;
  }
  if (typeof value === 'bigint') {
    return value;
  }

  return BigInt(typeof value === 'number' ? Math.trunc(value) : value.split('.')[0] || '0');
}

/** `amount / parts`, rounded half up to a micro-unit: a provider's message price spread over its segments. */
export function perPart(amount: bigint, parts: number): bigint {
  if (parts <= 1) {
    return amount;
  }
  const divisor = BigInt(parts);

  return (amount * 2n + divisor) / (divisor * 2n);
}
