/**
 * The router's shared, short-lived state: provider health windows, per-number send schedules (rate
 * limits), sticky senders and failover probes. Redis in the distributed mode, so every router replica
 * sees the same health and never over-books a number; a Map in the embedded mode (one process).
 */
export type HealthOutcome = 'sent' | 'error' | 'delivered' | 'undelivered';

/** Sums over the rolling window (5 minutes) for one provider. */
export interface HealthCounts {
  /** Send attempts that got an answer: successes plus errors. */
  readonly attempts: number;
  readonly errors: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly latencySumMs: number;
  readonly latencyCount: number;
  /** Successful sends since the provider's last error (how it proves it recovered). */
  readonly streak: number;
}

export const EMPTY_HEALTH: HealthCounts = {
  attempts: 0,
  errors: 0,
  delivered: 0,
  undelivered: 0,
  latencySumMs: 0,
  latencyCount: 0,
  streak: 0,
};

/** A sender the claim may pick, with its carrier limit. */
export interface SenderSlot {
  readonly number: string;
  readonly segmentsPerSecond: number;
}

/** Senders in a fixed order, read by position; an array is one. */
export interface SenderSequence<S extends SenderSlot = SenderSlot> {
  readonly length: number;
  at(index: number): S | undefined;
  /**
   * Every sender as ",<number>=<msPerSegment>" and a closing comma, made once per sequence: the Redis
   * claim sends it with a window of the group, so a sticky sender anywhere in the group is kept in one
   * step. Absent (arrays, very large groups): the claim asks back for a sticky sender outside the window.
   */
  readonly membership?: string;
}

/** Senders by number (first one wins for a value listed twice); a Map is one. */
export interface SenderLookup {
  get(number: string): SenderSlot | undefined;
}

export interface ClaimRequest {
  /** Where the recipient's sticky sender is kept; null: no stickiness (an explicit `from`). */
  readonly stickyKey: string | null;
  readonly stickyTtlMs: number;
  /**
   * The equally good senders in a fixed order. This message's round-robin order starts at `start` and
   * wraps: the first free one in that order wins, else the one free soonest. An offset rather than a
   * rotated copy: the group is kept with the decision's plan and reused by every message (a copy of a
   * group of hundreds per decision was most of a cached decision's allocation).
   */
  readonly group: SenderSequence;
  /** 0 ≤ start < group.length. */
  readonly start: number;
  /** Every eligible sender: the sticky one is kept when it is among them, even outside the group. */
  readonly eligible: SenderLookup;
  readonly segments: number;
  /** Explain: read only, reserve nothing. */
  readonly dryRun: boolean;
}

export interface ClaimResult {
  readonly number: string;
  /** How long the message must wait for its slot on the number (0 when the number is free). */
  readonly delayMs: number;
  readonly how: 'sticky' | 'free' | 'earliest';
}

/** Rolling-window geometry: 30 buckets of 10 s make the "last 5 minutes". */
export const HEALTH_BUCKET_MS = 10_000;
export const HEALTH_WINDOW_MS = 300_000;

/** One send result or receipt of a provider, as a status event reports it. */
export interface CountedOutcome {
  readonly provider: string;
  readonly outcome: HealthOutcome;
  readonly latencyMs?: number | null;
}

/**
 * A run of one provider's outcomes, summed: the counters add up, and the streak either grows by `streak`
 * or, when the run holds an error (`streakReset`), restarts at `streak`, the successes after its last
 * error. Applying a tally is the same as recording its outcomes one by one, in order.
 */
export interface HealthTally {
  readonly provider: string;
  readonly attempts: number;
  readonly errors: number;
  readonly delivered: number;
  readonly undelivered: number;
  /** Whole milliseconds: each latency is rounded before it is added, as the Redis counters require. */
  readonly latencySumMs: number;
  readonly latencyCount: number;
  readonly streakReset: boolean;
  readonly streak: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sums outcomes per provider, in the order given (the order sets each provider's streak). */
export function tallyOutcomes(outcomes: readonly CountedOutcome[]): HealthTally[] {
  const tallies = new Map<string, Mutable<HealthTally>>();
  for (const { provider, outcome, latencyMs } of outcomes) {
    let tally = tallies.get(provider);
    if (!tally) {
      tally = { provider, ...EMPTY_HEALTH, streakReset: false };
      tallies.set(provider, tally);
    }
    switch (outcome) {
      case 'delivered':
        tally.delivered++;
        continue;
      case 'undelivered':
        tally.undelivered++;
        continue;
      case 'error':
        tally.errors++;
        tally.streakReset = true;
        tally.streak = 0;
        break;
      case 'sent':
        tally.streak++;
        break;
    }
    tally.attempts++;
    if (typeof latencyMs === 'number') {
      tally.latencySumMs += Math.round(latencyMs);
      tally.latencyCount++;
    }
  }

  return [...tallies.values()];
}

export interface RoutingState {
  recordOutcome(providerId: string, outcome: HealthOutcome, latencyMs?: number | null): Promise<void>;
  /** Tallies of several providers in one write (one Redis script), as recordOutcome would record them. */
  recordTallies(tallies: readonly HealthTally[]): Promise<void>;
  readHealth(providerIds: readonly string[]): Promise<Map<string, HealthCounts>>;
  /**
   * Picks a sender (sticky, else the first free one of the group, else the one free soonest) and
   * books `segments` on its schedule: each segment takes 1/segmentsPerSecond of the number's time.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** True for at most one caller per interval and provider: that message probes an unhealthy provider. */
  tryProbe(providerId: string, intervalMs: number): Promise<boolean>;
  /** Erasure: drops a recipient's sticky sender (docs/privacy.md); answers how many entries went (0 or 1). */
  forgetSticky(stickyKey: string): Promise<number>;
  /** Operator changes: a counter every replica polls to drop its caches. */
  bumpPoolVersion(): Promise<void>;
  poolVersion(): Promise<string>;
  /** Readiness: the shared store answers. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

/** The i-th sender of the group in this message's round-robin order. */
export const inTurn = <S extends SenderSlot>(group: SenderSequence<S>, start: number, i: number): S =>
  group.at((start + i) % group.length)!;

/** Milliseconds one segment occupies on a number with this carrier limit. */
export const segmentMs = (segmentsPerSecond: number): number => 1000 / Math.max(segmentsPerSecond, 0.001);

/** Milliseconds one segment occupies on a number. */
export const msPerSegment = (slot: SenderSlot): number => segmentMs(slot.segmentsPerSecond);
