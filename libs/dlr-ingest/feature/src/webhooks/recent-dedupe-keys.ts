/** Most keys remembered (a key and an id, two short strings each): memory stays bounded whatever the rate. */
export const RECENT_KEYS_MAX = 10_000;
/**
 * How long a key is trusted. Well under the raw store's shortest retention (DLR_RAW_RETENTION_HOURS ≥ 1),
 * so the row a remembered key names has not been purged: a retry classified from memory points its
 * `duplicate_of` at a row that exists, as one classified against the table would.
 */
export const RECENT_KEYS_MAX_AGE_MS = 10 * 60_000;

/**
 * Dedupe keys of webhooks this process stored as accepted, with their rows' ids. A provider retries a
 * receipt whose answer it did not get (a timeout, a dropped connection) within seconds, and the first copy
 * is usually stored already: found here, the retry is classified a duplicate before its batch's INSERT,
 * instead of failing that INSERT on the unique key (the whole batch with it), reading the stored keys and
 * inserting the batch again. Only a hint: a key not found here (older, forgotten, stored by another replica
 * or before a restart) is still caught by the unique key as before. A key is remembered only after the
 * INSERT that stored it succeeded (it is committed: the INSERT runs in autocommit).
 *
 * Keys are remembered only while retries come (`arm`: the unique key caught one, or this map did, within
 * the age): keeping every receipt's key and id alive past the young generation's collections costs each
 * receipt GC time (docs/performance.md, "Embedded CPU per message"), which only pays off when there are
 * retries to catch.
 *
 * Two generations of plain key → id maps, the older dropped whole when a third of the age has passed or the
 * newer holds half the keys: no object or delete per key (per-key entries with their own time cost every
 * receipt measurably more, most of it in the garbage collector), and no key older than the age is trusted.
 */
export class RecentDedupeKeys {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();
  private currentSince: number;
  private armedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = RECENT_KEYS_MAX,
    private readonly maxAgeMs = RECENT_KEYS_MAX_AGE_MS,
  ) {
    this.currentSince = now();
  }

  /** The ids stored under the keys that are remembered and still young enough. */
  known(keys: Iterable<string>): Map<string, string> {
    this.age();
    const found = new Map<string, string>();
    if (this.current.size === 0 && this.previous.size === 0) {
      return found;
    }
    for (const key of keys) {
      const id = this.current.get(key) ?? this.previous.get(key);
      if (id !== undefined) {
        found.set(key, id);
      }
    }
    if (found.size > 0) {
      this.arm();
    }

    return found;
  }

  /** Retries are coming: remember stored keys for the age from now. */
  arm(): void {
    this.armedUntil = this.now() + this.maxAgeMs;
  }

  /** Remembers committed accepted rows while armed. */
  remember(stored: Iterable<readonly [key: string, id: string]>): void {
    this.age();
    if (this.now() >= this.armedUntil) {
      return;
    }
    for (const [key, id] of stored) {
      if (this.current.size >= this.maxKeys / 2) {
        this.rotate(true);
      }
      this.current.set(key, id);
    }
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  /**
   * A generation lasts a third of the age. One that lasted less than two thirds becomes the previous one
   * (its keys are then at most two thirds old, and gone a third later); an older one is dropped with it.
   */
  private age(): void {
    const elapsed = this.now() - this.currentSince;
    if (elapsed >= this.maxAgeMs / 3) {
      this.rotate(elapsed < (2 * this.maxAgeMs) / 3);
    }
  }

  private rotate(keepCurrent: boolean): void {
    this.previous = keepCurrent ? this.current : new Map<string, string>();
    this.current = new Map();
    this.currentSince = this.now();
  }
}
