import type { DataSource } from 'typeorm';
import { TtlCache } from '../routing/plans/ttl-cache';
import { SNAPSHOT_TTL_MS } from '../routing/snapshot/route-snapshot';

/** A country's lookup setting as routing reads it. */
export interface LookupSetting {
  readonly enabled: boolean;
  readonly provider: string;
  readonly ttlSeconds: number;
}

export const LOOKUPS_OFF: LookupSetting = { enabled: false, provider: '', ttlSeconds: 0 };

/**
 * Per-country lookup settings, cached like the pool (about 10 s, dropped at once on operator changes), so a
 * message to a country without lookups costs no I/O for them.
 */
export class LookupSettings {
  private readonly cache: TtlCache<string, LookupSetting>;

  constructor(
    private readonly dataSource: DataSource,
    ttlMs = SNAPSHOT_TTL_MS,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  /** The cached setting when there is one (no promise on the hot path), else undefined. */
  peek(country: string): LookupSetting | undefined {
    return this.cache.peek(country, Date.now());
  }

  of(country: string): Promise<LookupSetting> {
    return this.load(country);
  }

  invalidate(): void {
    this.cache.clear();
  }

  private load(country: string): Promise<LookupSetting> {
    return this.cache.get(country, async () => {
      const rows = await this.dataSource.query<
        { enabled: number | string | boolean; provider: string; ttl_seconds: number }[]
      >('SELECT enabled, provider, ttl_seconds FROM number_lookup_settings WHERE country = ?', [country]);
      const row = rows[0];

      return row
        ? {
            enabled: row.enabled === true || Number(row.enabled) === 1,
            provider: row.provider,
            ttlSeconds: Number(row.ttl_seconds),
          }
        : LOOKUPS_OFF;
    });
  }
}
