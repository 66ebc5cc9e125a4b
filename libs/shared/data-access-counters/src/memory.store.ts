import type { CounterCheck, CountedAndMarked, GuardedSetAdd, KeyValueStore, Marker } from './key-value.store';

interface Entry {
  value: string;
  expiresAt: number;
}

interface SetEntry {
  readonly members: Set<string>;
  readonly expiresAt: number;
}

/**
 * The embedded mode's store: one process, so a Map with lazy expiry and a periodic sweep is enough.
 * Every operation completes synchronously before its promise resolves, which is what makes the
 * compound ones (incrementWithinLimits, take) atomic here as the Lua scripts are in Redis.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sets = new Map<string, SetEntry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepIntervalMs = 30_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.setUnlessLive(key, value, ttlMs));
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });

    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.entries.delete(key);
    this.sets.delete(key);

    return Promise.resolve();
  }

  take(key: string): Promise<string | null> {
    const entry = this.live(key);
    this.entries.delete(key);

    return Promise.resolve(entry?.value ?? null);
  }

  incrementBy(key: string, by: number, ttlMs: number): Promise<number> {
    return Promise.resolve(this.add(key, by, ttlMs));
  }

  incrementWithinLimits(checks: readonly CounterCheck[]): Promise<number> {
    return Promise.resolve(this.addWithinLimits(checks));
  }

  incrementWithinLimitsAndSet(checks: readonly CounterCheck[], marker: Marker): Promise<CountedAndMarked> {
    const over = this.addWithinLimits(checks);

    return Promise.resolve({ over, set: over === -1 && this.setUnlessLive(marker.key, marker.value, marker.ttlMs) });
  }

  addToSet(key: string, member: string, ttlMs: number): Promise<number> {
    return Promise.resolve(this.addMember(key, member, ttlMs));
  }

  addToSetsUnlessGuarded(
    guardKeys: readonly string[],
    setKeys: readonly string[],
    member: string,
    ttlMs: number,
  ): Promise<GuardedSetAdd> {
    // Checked and added in this one synchronous step: no other caller runs in between.
    const guards = guardKeys.map((key) => this.live(key)?.value ?? null);
    if (guards.some((value) => value !== null)) {
      return Promise.resolve({ guarded: true, guards });
    }
    const sizes = setKeys.map((key) => this.addMember(key, member, ttlMs));

    return Promise.resolve({ guarded: false, sizes });
  }

  removeFromSet(key: string, member: string): Promise<number> {
    const entry = this.sets.get(key);
    const removed = entry !== undefined && entry.expiresAt > this.now() && entry.members.delete(member);

    return Promise.resolve(removed ? 1 : 0);
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);

    return Promise.resolve();
  }

  private addMember(key: string, member: string, ttlMs: number): number {
    let entry = this.sets.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      entry = { members: new Set(), expiresAt: this.now() + ttlMs };
      this.sets.set(key, entry);
    }
    entry.members.add(member);

    return entry.members.size;
  }

  private setUnlessLive(key: string, value: string, ttlMs: number): boolean {
    if (this.live(key) !== undefined) {
      return false;
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });

    return true;
  }

  private addWithinLimits(checks: readonly CounterCheck[]): number {
    const over = checks.findIndex((check) => check.limit !== null && this.counter(check.key) + check.by > check.limit);
    if (over === -1) {
      for (const check of checks) {
        this.add(check.key, check.by, check.ttlMs);
      }
    }

    return over;
  }

  private counter(key: string): number {
    const value = this.live(key)?.value;

    return value === undefined ? 0 : Number(value) || 0;
  }

  private add(key: string, by: number, ttlMs: number): number {
    const entry = this.live(key);
    const value = (entry === undefined ? 0 : Number(entry.value) || 0) + by;
    this.entries.set(key, { value: String(value), expiresAt: entry?.expiresAt ?? this.now() + ttlMs });

    return value;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);

      return undefined;
    }

    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
      }
    }
    for (const [key, entry] of this.sets) {
      if (entry.expiresAt <= now) {
        this.sets.delete(key);
      }
    }
  }
}
