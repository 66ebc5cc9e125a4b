/**
 * The price book: the most a segment to each country can cost, per currency, in micro-units (1e-6 of the
 * currency; integers, so spend counters add exactly). The router owns the rates and publishes it into
 * the KeyValueStore at boot, whenever rates change and periodically; intake reads it to price a message
 * at acceptance for spend caps. The highest rate of any provider and prefix is used because intake
 * decides before the route is chosen: a spend cap must not be overrun by a routing choice.
 */
export interface PriceBook {
  /** Currency → ISO 3166-1 alpha-2 country → highest price per segment in micro-units. */
  readonly maxPerSegmentMicros: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly publishedAt: string;
}

/** Where the price book lives; `namespace` keeps deployments sharing one Redis apart (REDIS_KEY_PREFIX). */
export const priceBookKey = (namespace: string): string => `${namespace}price-book:v1`;

/** Republished well within this, so it only lapses when no router has run for a week. */
export const PRICE_BOOK_TTL_MS = 7 * 24 * 3600 * 1000;

export const MICROS_PER_UNIT = 1_000_000;

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** `"0.0450"` → 45000. Null for anything but a non-negative decimal with at most 6 fraction digits that fits. */
export function decimalToMicros(text: string): number | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) {
    return null;
  }
  const units = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));

  const micros = units * MICROS_PER_UNIT + fraction;

  return Number.isSafeInteger(micros) ? micros : null;
}

/** 45000 → `"0.045"`; 25000000 → `"25"`: the shortest exact decimal. */
export function microsToDecimal(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const units = Math.floor(abs / MICROS_PER_UNIT);
  const fraction = String(abs % MICROS_PER_UNIT)
    .padStart(6, '0')
    .replace(/0+$/, '');

  return `${sign}${units}${fraction ? `.${fraction}` : ''}`;
}

/** Parses a stored price book; null when it is not one (never trusted blindly: another process wrote it). */
export function parsePriceBook(text: string | null): PriceBook | null {
  if (text === null) {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<PriceBook>;
    const table = value.maxPerSegmentMicros;
    if (typeof table !== 'object' || table === null) {
      return null;
    }
    for (const countries of Object.values(table)) {
      if (typeof countries !== 'object' || countries === null) {
        return null;
      }
      if (!Object.values(countries).every((micros) => Number.isSafeInteger(micros) && micros >= 0)) {
        return null;
      }
    }

    return { maxPerSegmentMicros: table, publishedAt: String(value.publishedAt ?? '') };
  } catch {
    return null;
  }
}
