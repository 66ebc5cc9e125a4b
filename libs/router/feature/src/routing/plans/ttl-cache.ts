interface Entry<V> {
  readonly value: V;
  readonly at: number;
}

/**
 * Values kept for a TTL per key, loaded single-flight: concurrent misses of one key share one load.
 * `clear()` also disowns loads still in flight, so a load that began before an operator change never
 * fills the cache after it.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly loads = new Map<K, Promise<V>>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    /** Past this many keys, expired entries are swept on the next insert (keys from requests stay bounded). */
    private readonly sweepAbove = 10_000,
  ) {}

  /** The cached value when fresh; undefined on a miss (no I/O: the cached decision's path). */
  peek(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);

    return entry !== undefined && now - entry.at < this.ttlMs ? entry.value : undefined;
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    const fresh = this.peek(key, Date.now());
    if (fresh !== undefined) {
      return Promise.resolve(fresh);
    }
    const pending = this.loads.get(key);
    if (pending) {
      return pending;
    }
    const generation = this.generation;
    const loading = load()
      .then((value) => {
        if (generation === this.generation) {
          this.set(key, value);
        }

        return value;
      })
      .finally(() => {
        if (this.loads.get(key) === loading) {
          this.loads.delete(key);
        }
      });
    this.loads.set(key, loading);

    return loading;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loads.clear();
  }

  private set(key: K, value: V): void {
    const now = Date.now();
    if (this.entries.size >= this.sweepAbove) {
      for (const [k, entry] of this.entries) {
        if (now - entry.at >= this.ttlMs) {
          this.entries.delete(k);
        }
      }
    }
    this.entries.set(key, { value, at: now });
  }
}
