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
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}
