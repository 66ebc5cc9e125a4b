import { createHmac } from 'node:crypto';
import type { KeyValueStore } from '@sms/counters';
import type { MobileNetwork } from '@sms/provider-port';

/** A lookup answer as kept: what routing reads of it, never the number itself. */
export interface CachedLookup {
  readonly outcome: 'found' | 'unknown';
  readonly network: MobileNetwork | null;
  readonly carrierName: string | null;
  readonly lineType: string | null;
  readonly source: string;
  readonly lookedUpAt: string;
}

/**
 * Lookup answers by number key ({@link lookupKeyOf}): Redis in the distributed mode (every replica shares
 * what one paid for), a bounded in-process LRU embedded.
 */
export interface LookupCache {
  get(numberKey: string): Promise<CachedLookup | null>;
  set(numberKey: string, entry: CachedLookup, ttlMs: number): Promise<void>;
  /** Erasure: answers how many entries went (0 or 1). */
  forget(numberKey: string): Promise<number>;
}

/**
 * The cache key of a number: an HMAC under the privacy salt, so neither Redis keys nor logs hold a number
 * and a key cannot be reversed by hashing candidate numbers without the salt. Erasure derives the same key.
 */
export const lookupKeyOf = (salt: string, e164: string): string =>
  createHmac('sha256', salt).update(`number-lookup:${e164}`).digest('base64url').slice(0, 32);

/** The distributed cache: one Redis key per number under the router's prefix, expiring with the answer. */
export class KvLookupCache implements LookupCache {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly keyPrefix: string,
  ) {}

  async get(numberKey: string): Promise<CachedLookup | null> {
    const raw = await this.kv.get(this.key(numberKey));

    return raw === null ? null : parseEntry(raw);
  }

  async set(numberKey: string, entry: CachedLookup, ttlMs: number): Promise<void> {
    await this.kv.set(this.key(numberKey), JSON.stringify(entry), ttlMs);
  }

  async forget(numberKey: string): Promise<number> {
    return (await this.kv.take(this.key(numberKey))) === null ? 0 : 1;
  }

  private key(numberKey: string): string {
    return `${this.keyPrefix}lookup:${numberKey}`;
  }
}

/** The embedded cache: at most `capacity` answers, the least recently used dropped first. */
export class LruLookupCache implements LookupCache {
  /** Map order is insertion order: a hit re-inserts, so the first key is the least recently used. */
  private readonly entries = new Map<string, { entry: CachedLookup; expiresAt: number }>();

  constructor(
    private readonly capacity = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(numberKey: string): Promise<CachedLookup | null> {
    const kept = this.entries.get(numberKey);
    if (!kept) {
      return null;
    }
    this.entries.delete(numberKey);
    if (kept.expiresAt <= this.now()) {
      return null;
    }
    this.entries.set(numberKey, kept);

    return kept.entry;
  }

  async set(numberKey: string, entry: CachedLookup, ttlMs: number): Promise<void> {
    this.entries.delete(numberKey);
    this.entries.set(numberKey, { entry, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  async forget(numberKey: string): Promise<number> {
    return this.entries.delete(numberKey) ? 1 : 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

function parseEntry(raw: string): CachedLookup | null {
  try {
    const value = JSON.parse(raw) as CachedLookup;

    return value && (value.outcome === 'found' || value.outcome === 'unknown') ? value : null;
  } catch {
    return null;
  }
}
