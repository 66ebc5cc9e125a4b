import {
  type ClaimRequest,
  type ClaimResult,
  EMPTY_HEALTH,
  HEALTH_BUCKET_MS,
  HEALTH_WINDOW_MS,
  type HealthCounts,
  type HealthOutcome,
  type HealthTally,
  inTurn,
  msPerSegment,
  type RoutingState,
  tallyOutcomes,
} from './routing-state';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Sticky senders kept in one process: past this many recipients the oldest tenth is forgotten (they
 * get a sender by the normal rules next time), so a long-running embedded gateway stays bounded.
 */
const MAX_STICKY = 200_000;

/** The embedded mode's routing state: one process, so plain Maps (same rules as the Redis one). */
export class MemoryRoutingState implements RoutingState {
  /** provider → bucket start → counts */
  private readonly buckets = new Map<string, Map<number, Mutable<HealthCounts>>>();
  private readonly streaks = new Map<string, number>();
  /** number → theoretical time (ms) at which its schedule is free again */
  private readonly freeAt = new Map<string, number>();
  private readonly sticky = new Map<string, { number: string; expiresAt: number }>();
  private readonly probes = new Map<string, number>();
  private version = 0;

  constructor(private readonly now: () => number = Date.now) {}

  recordOutcome(providerId: string, outcome: HealthOutcome, latencyMs?: number | null): Promise<void> {
    return this.recordTallies(tallyOutcomes([{ provider: providerId, outcome, latencyMs }]));
  }

  recordTallies(tallies: readonly HealthTally[]): Promise<void> {
    for (const tally of tallies) {
      const bucket = this.currentBucket(tally.provider);
      bucket.attempts += tally.attempts;
      bucket.errors += tally.errors;
      bucket.delivered += tally.delivered;
      bucket.undelivered += tally.undelivered;
      bucket.latencySumMs += tally.latencySumMs;
      bucket.latencyCount += tally.latencyCount;
      if (tally.streakReset) {
        this.streaks.set(tally.provider, tally.streak);
      } else if (tally.streak > 0) {
        this.streaks.set(tally.provider, (this.streaks.get(tally.provider) ?? 0) + tally.streak);
      }
    }

    return Promise.resolve();
  }

  /** This provider's bucket for now, after dropping the ones the window left behind. */
  private currentBucket(providerId: string): Mutable<HealthCounts> {
    const now = this.now();
    const start = now - (now % HEALTH_BUCKET_MS);
    const perProvider = this.buckets.get(providerId) ?? new Map<number, Mutable<HealthCounts>>();
    this.buckets.set(providerId, perProvider);
    for (const old of perProvider.keys()) {
      if (old <= now - HEALTH_WINDOW_MS) {
        perProvider.delete(old);
      }
    }
    const bucket = perProvider.get(start) ?? { ...EMPTY_HEALTH };
    perProvider.set(start, bucket);

    return bucket;
  }

  readHealth(providerIds: readonly string[]): Promise<Map<string, HealthCounts>> {
    const cutoff = this.now() - HEALTH_WINDOW_MS;
    const result = new Map<string, HealthCounts>();
    for (const id of providerIds) {
      const sum: Mutable<HealthCounts> = { ...EMPTY_HEALTH, streak: this.streaks.get(id) ?? 0 };
      for (const [start, b] of this.buckets.get(id) ?? []) {
        if (start > cutoff) {
          sum.attempts += b.attempts;
          sum.errors += b.errors;
          sum.delivered += b.delivered;
          sum.undelivered += b.undelivered;
          sum.latencySumMs += b.latencySumMs;
          sum.latencyCount += b.latencyCount;
        }
      }
      result.set(id, sum);
    }

    return Promise.resolve(result);
  }

  forgetSticky(stickyKey: string): Promise<number> {
    return Promise.resolve(this.sticky.delete(stickyKey) ? 1 : 0);
  }

  claim(request: ClaimRequest): Promise<ClaimResult> {
    const now = this.now();
    const stickyEntry = request.stickyKey ? this.sticky.get(request.stickyKey) : undefined;
    const stickyNumber = stickyEntry && stickyEntry.expiresAt > now ? stickyEntry.number : null;
    const { group, start: first } = request;
    let slot = stickyNumber ? request.eligible.get(stickyNumber) : undefined;
    let how: ClaimResult['how'] = 'sticky';
    if (!slot) {
      how = 'free';
      for (let i = 0; i < group.length && !slot; i++) {
        const candidate = inTurn(group, first, i);
        if ((this.freeAt.get(candidate.number) ?? 0) <= now) {
          slot = candidate;
        }
      }
    }
    if (!slot) {
      let earliest = Infinity;
      for (let i = 0; i < group.length; i++) {
        const candidate = inTurn(group, first, i);
        const freeAt = this.freeAt.get(candidate.number) ?? 0;
        if (freeAt < earliest) {
          earliest = freeAt;
          slot = candidate;
        }
      }
      how = 'earliest';
    }
    if (!slot) {
      throw new Error('claim needs at least one sender');
    }
    const start = Math.max(this.freeAt.get(slot.number) ?? 0, now);
    if (!request.dryRun) {
      this.freeAt.set(slot.number, start + request.segments * msPerSegment(slot));
      if (request.stickyKey) {
        this.sticky.delete(request.stickyKey);
        this.sticky.set(request.stickyKey, { number: slot.number, expiresAt: now + request.stickyTtlMs });
        if (this.sticky.size > MAX_STICKY) {
          this.forgetOldestSticky();
        }
      }
    }

    return Promise.resolve({ number: slot.number, delayMs: start - now, how });
  }

  /** Map iteration follows insertion order, and every claim re-inserts: the first keys are the oldest. */
  private forgetOldestSticky(): void {
    let drop = Math.ceil(MAX_STICKY / 10);
    for (const key of this.sticky.keys()) {
      if (drop-- <= 0) {
        break;
      }
      this.sticky.delete(key);
    }
  }

  tryProbe(providerId: string, intervalMs: number): Promise<boolean> {
    const now = this.now();
    if ((this.probes.get(providerId) ?? 0) > now) {
      return Promise.resolve(false);
    }
    this.probes.set(providerId, now + intervalMs);

    return Promise.resolve(true);
  }

  bumpPoolVersion(): Promise<void> {
    this.version++;

    return Promise.resolve();
  }

  poolVersion(): Promise<string> {
    return Promise.resolve(String(this.version));
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
