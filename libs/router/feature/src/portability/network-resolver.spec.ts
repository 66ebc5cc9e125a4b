import type { NumberLookup, NumberLookupResult } from '@sms/provider-port';
import { LruLookupCache, lookupKeyOf } from './lookup-cache';
import type { LookupSetting, LookupSettings } from './lookup-settings';
import { type LookupOutcome, NetworkResolver } from './network-resolver';

const ON: LookupSetting = { enabled: true, provider: 'twilio', ttlSeconds: 3_600 };
const AT = '2026-12-07T06:00:00.000Z';

/** Settings as the resolver reads them, without a database. */
const settingsOf = (byCountry: Record<string, LookupSetting>): LookupSettings =>
  ({
    peek: (country: string) => byCountry[country] ?? { enabled: false, provider: '', ttlSeconds: 0 },
    of: (country: string) => Promise.resolve(byCountry[country] ?? { enabled: false, provider: '', ttlSeconds: 0 }),
    invalidate: () => undefined,
  }) as unknown as LookupSettings;

/** A lookup source that answers from a table and counts its calls. */
class TableLookup implements NumberLookup {
  readonly source = 'twilio';
  calls = 0;
  constructor(private readonly answer: (e164: string) => NumberLookupResult | Promise<NumberLookupResult>) {}
  async lookup(e164: string): Promise<NumberLookupResult> {
    this.calls += 1;

    return this.answer(e164);
  }
}

const found = (mcc: string, mnc: string): NumberLookupResult => ({
  outcome: 'found',
  lineType: 'mobile',
  carrierName: 'EE',
  network: { mcc, mnc },
  source: 'twilio',
  lookedUpAt: AT,
});

function resolverWith(lookup: NumberLookup, cache = new LruLookupCache(), timeoutMs = 200) {
  const counted: [string, LookupOutcome][] = [];
  const resolver = new NetworkResolver(settingsOf({ GB: ON }), cache, new Map([['twilio', lookup]]), {
    timeoutMs,
    failureTtlMs: 60_000,
    salt: 'salt',
    count: (country, outcome) => counted.push([country, outcome]),
  });

  return { resolver, counted, cache };
}

describe('NetworkResolver', () => {
  it('looks a number up once, then answers from the cache', async () => {
    const lookup = new TableLookup(() => found('234', '30'));
    const { resolver, counted } = resolverWith(lookup);

    const first = await resolver.resolve('+447400123456', 'GB');
    const second = await resolver.resolve('+447400123456', 'GB');

    expect(first).toMatchObject({ network: { mcc: '234', mnc: '30' }, source: 'lookup', carrierName: 'EE' });
    expect(second).toMatchObject({ network: { mcc: '234', mnc: '30' }, source: 'cache' });
    expect(lookup.calls).toBe(1);
    expect(counted).toEqual([
      ['GB', 'found'],
      ['GB', 'cache_hit'],
    ]);
  });

  it('shares one lookup between concurrent messages to the same number', async () => {
    const lookup = new TableLookup(() => new Promise((resolve) => setTimeout(() => resolve(found('234', '30')), 20)));
    const { resolver } = resolverWith(lookup);

    await Promise.all([1, 2, 3].map(() => resolver.resolve('+447400123456', 'GB')));

    expect(lookup.calls).toBe(1);
  });

  it('does not look up where the country is off', async () => {
    const lookup = new TableLookup(() => found('310', '260'));
    const { resolver } = resolverWith(lookup);

    expect(resolver.mayLookUp('US')).toBe(false);
    expect(await resolver.resolve('+12025550100', 'US')).toMatchObject({
      network: null,
      source: 'none',
      detail: 'lookups off for US',
    });
    expect(lookup.calls).toBe(0);
  });

  it('routes by prefix when the lookup is slower than the timeout, counts it and remembers it briefly', async () => {
    const lookup = new TableLookup(() => new Promise(() => undefined));
    const { resolver, counted } = resolverWith(lookup, new LruLookupCache(), 50);
    const started = Date.now();

    const result = await resolver.resolve('+447400123456', 'GB');

    expect(result).toMatchObject({ network: null, source: 'none', detail: 'lookup timed out' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(counted).toEqual([['GB', 'timeout']]);
    await resolver.resolve('+447400123456', 'GB');
    expect(lookup.calls).toBe(1);
  });

  it('keeps a "not found" a tenth of the TTL and a found answer the whole TTL', async () => {
    let now = 0;
    const cache = new LruLookupCache(10, () => now);
    const lookup = new TableLookup((e164) =>
      e164.endsWith('1')
        ? { outcome: 'unknown', reason: 'not_found', source: 'twilio', lookedUpAt: AT }
        : found('234', '30'),
    );
    const { resolver } = resolverWith(lookup, cache);
    await resolver.resolve('+447400000001', 'GB');
    await resolver.resolve('+447400000002', 'GB');

    now = 360_001; // past a tenth of the hour
    await resolver.resolve('+447400000001', 'GB');
    await resolver.resolve('+447400000002', 'GB');

    expect(lookup.calls).toBe(3);
  });

  it('forgets a number on erasure', async () => {
    const lookup = new TableLookup(() => found('234', '30'));
    const { resolver } = resolverWith(lookup);
    await resolver.resolve('+447400123456', 'GB');

    expect(await resolver.forget('+447400123456')).toBe(1);
    expect(await resolver.forget('+447400123456')).toBe(0);
    await resolver.resolve('+447400123456', 'GB');
    expect(lookup.calls).toBe(2);
  });
});

describe('LruLookupCache', () => {
  const entry = {
    outcome: 'found' as const,
    network: null,
    carrierName: null,
    lineType: null,
    source: 't',
    lookedUpAt: AT,
  };

  it('drops the least recently used entry past its capacity', async () => {
    const cache = new LruLookupCache(2);
    await cache.set('a', entry, 60_000);
    await cache.set('b', entry, 60_000);
    await cache.get('a');
    await cache.set('c', entry, 60_000);

    expect(await cache.get('a')).not.toBeNull();
    expect(await cache.get('b')).toBeNull();
    expect(cache.size).toBe(2);
  });

  it('keys numbers by a salted hash that holds no digits of the number', () => {
    const key = lookupKeyOf('salt', '+447400123456');

    expect(key).not.toContain('7400123456');
    expect(key).toBe(lookupKeyOf('salt', '+447400123456'));
    expect(key).not.toBe(lookupKeyOf('other', '+447400123456'));
  });
});
