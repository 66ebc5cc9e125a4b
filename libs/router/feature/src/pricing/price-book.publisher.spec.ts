import { MemoryKeyValueStore, parsePriceBook, priceBookKey } from '@sms/counters';
import type { DataSource } from 'typeorm';
import { buildPriceBook, PriceBookPublisher } from './price-book.publisher';

const NOW = new Date('2026-12-06T12:00:00.000Z');

describe(buildPriceBook.name, () => {
  it('keeps the highest price per segment of each country and currency, in micro-units', () => {
    const book = buildPriceBook(
      [
        { country: 'GB', price: '0.0400', currency: 'USD' },
        { country: 'GB', price: '0.0450', currency: 'USD' },
        { country: 'GB', price: '0.0410', currency: 'USD' },
        { country: 'GB', price: '0.0390', currency: 'EUR' },
        { country: 'NG', price: '0.1250', currency: 'USD' },
      ],
      NOW,
    );

    expect(book).toEqual({
      maxPerSegmentMicros: { USD: { GB: 45_000, NG: 125_000 }, EUR: { GB: 39_000 } },
      publishedAt: NOW.toISOString(),
    });
  });

  it('skips a rate whose price is not a decimal rather than guess it', () => {
    const book = buildPriceBook([{ country: 'GB', price: 'free', currency: 'USD' }], NOW);

    expect(book.maxPerSegmentMicros).toEqual({});
  });
});

describe(PriceBookPublisher.name, () => {
  it('writes the book under the namespaced key where intake reads it', async () => {
    const kv = new MemoryKeyValueStore();
    const dataSource = {
      getRepository: () => ({ find: () => Promise.resolve([{ country: 'US', price: '0.0079', currency: 'USD' }]) }),
    } as unknown as DataSource;
    try {
      await new PriceBookPublisher(dataSource, kv, 'ns:', () => NOW).publish();

      expect(parsePriceBook(await kv.get(priceBookKey('ns:')))?.maxPerSegmentMicros).toEqual({ USD: { US: 7_900 } });
      expect(await kv.get(priceBookKey('other:'))).toBeNull();
    } finally {
      await kv.close();
    }
  });
});
