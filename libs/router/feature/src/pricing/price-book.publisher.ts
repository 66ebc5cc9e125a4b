import { decimalToMicros, type KeyValueStore, type PriceBook, PRICE_BOOK_TTL_MS, priceBookKey } from '@sms/counters';
import type { DataSource } from 'typeorm';
import { PeriodicPublisher } from '../publishing/periodic-publisher';
import { RouteRateEntity } from '../database/entities/route-rate.entity';

/** Republished this often as well, so a restarted or flushed Redis has it again within minutes. */
export const PRICE_BOOK_REFRESH_MS = 5 * 60 * 1000;

/**
 * The highest rate per segment of every country, per currency, across every provider and prefix
 * (active or not: a provider switched on later must not make a spend cap too lenient).
 */
export function buildPriceBook(
  rates: readonly Pick<RouteRateEntity, 'country' | 'price' | 'currency'>[],
  now: Date,
): PriceBook {
  const table: Record<string, Record<string, number>> = {};
  for (const rate of rates) {
    const micros = decimalToMicros(rate.price);
    if (micros === null) {
      continue;
    }
    const countries = (table[rate.currency] ??= {});
    countries[rate.country] = Math.max(countries[rate.country] ?? 0, micros);
  }

  return { maxPerSegmentMicros: table, publishedAt: now.toISOString() };
}

/**
 * Publishes the router's price book into the KeyValueStore for intake's spend caps (intake does not own
 * the router's tables). Called at boot, after every operator change and every few minutes.
 */
export class PriceBookPublisher extends PeriodicPublisher<PriceBook> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    super('price book', PRICE_BOOK_REFRESH_MS);
  }

  async publish(): Promise<PriceBook> {
    const rates = await this.dataSource
      .getRepository(RouteRateEntity)
      .find({ select: { country: true, price: true, currency: true } });
    const book = buildPriceBook(rates, this.now());
    await this.kv.set(priceBookKey(this.namespace), JSON.stringify(book), PRICE_BOOK_TTL_MS);

    return book;
  }
}
