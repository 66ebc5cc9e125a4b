/**
 * Short-lived shared state: idempotency locks, caches, counters. Redis in the distributed mode (shared
 * by every replica), a Map in the embedded mode (one process). Values are strings; TTLs are required
 * so nothing grows without bound.
 */
export interface KeyValueStore {
  /** Sets the key only if it does not exist. True when this call set it (a lock was taken). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads and deletes the key in one step: of concurrent callers, exactly one gets the value. */
  take(key: string): Promise<string | null>;
  /**
   * Adds `by` (an integer, may be negative) to the counter at `key` and answers the new value. A counter
   * that did not exist starts at 0 and expires `ttlMs` later; an existing one keeps its expiry.
   */
  incrementBy(key: string, by: number, ttlMs: number): Promise<number>;
  /**
   * All or nothing: when every check's counter plus its `by` stays within its `limit` (null = no limit),
   * adds every `by` (a new counter expires `ttlMs` later) and answers -1; otherwise changes nothing and
   * answers the index of the first check that would go over. Atomic across replicas, so a quota is
   * never overrun by concurrent requests and a refused request consumes none of it.
   */
  incrementWithinLimits(checks: readonly CounterCheck[]): Promise<number>;
  /**
   * incrementWithinLimits, and when it added, `marker` set as setIfAbsent would, in the same atomic step:
   * answers the first check over (or -1) and whether this call set the marker. A quota and the record of
   * what it booked cost one round trip, and the record never exists for a refused request.
   */
  incrementWithinLimitsAndSet(checks: readonly CounterCheck[], marker: Marker): Promise<CountedAndMarked>;
  /**
   * Adds `member` to the set at `key` and answers how many distinct members it holds. A set that did
   * not exist expires `ttlMs` later; an existing one keeps its expiry.
   */
  addToSet(key: string, member: string, ttlMs: number): Promise<number>;
  /**
   * One atomic step: when none of `guardKeys` exists, adds `member` to every set of `setKeys` as addToSet
   * does and answers their sizes in order; when any exists, changes nothing and answers every guard's
   * value (null for an absent one). A check-then-count (a block, then the windows it guards) costs one
   * round trip instead of two, and no replica can count between the check and the add.
   */
  addToSetsUnlessGuarded(
    guardKeys: readonly string[],
    setKeys: readonly string[],
    member: string,
    ttlMs: number,
  ): Promise<GuardedSetAdd>;
  /** Removes `member` from the set at `key` (erasure of a person); answers 1 when it was there, else 0. */
  removeFromSet(key: string, member: string): Promise<number>;
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

/** One counter of {@link KeyValueStore.incrementWithinLimits}. */
export interface CounterCheck {
  readonly key: string;
  /** An integer: non-negative to consume a quota; negative (with no limit) gives back or corrects. */
  readonly by: number;
  /** The most the counter may reach; null counts without a limit. */
  readonly limit: number | null;
  readonly ttlMs: number;
}

/** What {@link KeyValueStore.addToSetsUnlessGuarded} did: counted (the sets' sizes) or stopped by a guard. */
export type GuardedSetAdd =
  | { readonly guarded: false; readonly sizes: readonly number[] }
  | { readonly guarded: true; readonly guards: readonly (string | null)[] };

/** The key {@link KeyValueStore.incrementWithinLimitsAndSet} sets unless it exists. */
export interface Marker {
  readonly key: string;
  readonly value: string;
  readonly ttlMs: number;
}

/** What {@link KeyValueStore.incrementWithinLimitsAndSet} did. */
export interface CountedAndMarked {
  /** -1 when every counter was added to, else the index of the first check that would go over. */
  readonly over: number;
  /** This call set the marker (false when refused, or when the marker existed). */
  readonly set: boolean;
}
