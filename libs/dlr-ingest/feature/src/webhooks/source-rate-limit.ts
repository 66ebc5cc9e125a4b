/**
 * Token buckets keyed by request source (the client IP), in this process's memory: each source may make
 * `perSecond` requests a second on average and `burst` at once. A storm of forged or junk webhooks from one
 * address is then answered 429 before it costs a signature check or a row, while providers, which post from
 * many addresses, stay under it. Replicas each keep their own buckets, so the limit a source meets across a
 * deployment is the per-process one times the replicas its requests spread over.
 */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    /** Sources remembered at once; the longest-unseen are forgotten first (a forgotten source starts full). */
    private readonly maxSources = 10_000,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) {
      throw new Error('a rate limit needs perSecond > 0 and burst >= 1');
    }
  }

  /** Takes one token for `source`: 0 when allowed, otherwise the seconds until one is available (≥ 1). */
  take(source: string, nowMs: number = Date.now()): number {
    const bucket = this.buckets.get(source);
    const tokens = bucket
      ? Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.perSecond)
      : this.burst;
    // Re-inserted so that Map order is least recently seen first: eviction takes from the front.
    this.buckets.delete(source);
    if (this.buckets.size >= this.maxSources) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) {
        this.buckets.delete(oldest);
      }
    }
    if (tokens >= 1) {
      this.buckets.set(source, { tokens: tokens - 1, at: nowMs });

      return 0;
    }
    this.buckets.set(source, { tokens, at: nowMs });

    return Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
  }

  /** Sources currently remembered (for tests and the bound above). */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * At most `perMinute` refused webhooks a minute are stored (this process), as evidence to look at: the rest
 * are only counted. A flood of forged posts then costs a bounded number of small rows, not one row each.
 */
export class RejectedSampler {
  private minute = -1;
  private taken = 0;

  constructor(private readonly perMinute: number) {}

  take(nowMs: number = Date.now()): boolean {
    const minute = Math.floor(nowMs / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.taken = 0;
    }
    if (this.taken >= this.perMinute) {
      return false;
    }
    this.taken += 1;

    return true;
  }
}
