import { Logger } from '@nestjs/common';
import { type KeyValueStore, type PriceBook, parsePriceBook, priceBookKey } from '@sms/counters';

/** How long a replica prices from the book it read before reading it again. */
export const PRICE_BOOK_CACHE_MS = 30_000;

/**
 * Intake's view of the router's price book (see @sms/counters price-book): the highest price per
 * segment of a country in the spend currency, or the configured default for a country without a
 * rate. Read at most every 30 s and shared by concurrent callers; while the store does not answer,
 * the last book read keeps pricing, so a Redis blip does not make every message cost the default.
 */
export class PriceBookReader {
  private readonly logger = new Logger('intake-price-book');
  private book: PriceBook | null = null;
  private readAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
    private readonly currency: string,
    private readonly defaultMicros: number,
    private readonly now: () => number = Date.now,
    private readonly cacheMs = PRICE_BOOK_CACHE_MS,
  ) {}

  async pricePerSegmentMicros(country: string): Promise<number> {
    // Until a book has been read (a router still booting), look again every second rather than every 30.
    const maxAge = this.book === null ? Math.min(this.cacheMs, 1_000) : this.cacheMs;
    if (this.now() - this.readAt >= maxAge) {
      await (this.loading ??= this.load().finally(() => (this.loading = null)));
    }

    return this.book?.maxPerSegmentMicros[this.currency]?.[country] ?? this.defaultMicros;
  }

  private async load(): Promise<void> {
    try {
      const book = parsePriceBook(await this.kv.get(priceBookKey(this.namespace)));
      if (book !== null) {
        this.book = book;
      }
    } catch (error) {
      this.logger.warn(`price book read failed, pricing from the last one read: ${String(error)}`);
    }
    this.readAt = this.now();
  }
}
