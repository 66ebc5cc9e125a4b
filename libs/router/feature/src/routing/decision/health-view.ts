import type { HealthCounts } from '../../state/routing-state';

/** When a provider counts as down, and what it takes to come back. */
export interface HealthPolicy {
  /** Skip a provider whose error rate over the window is above this (0.05 = 5%). */
  readonly errorThreshold: number;
  /** ...once it has at least this many answered attempts in the window (one error is not an outage). */
  readonly minAttempts: number;
  /** Consecutive successful sends (probes) after which a skipped provider is used again. */
  readonly recoveryStreak: number;
  /** Receipts needed before the delivery rate counts in the score. */
  readonly minReceipts: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  errorThreshold: 0.05,
  minAttempts: 10,
  recoveryStreak: 3,
  minReceipts: 20,
};

export interface ProviderHealth {
  readonly attempts: number;
  readonly errorRate: number;
  /** Null until enough receipts arrived. */
  readonly deliveryRate: number | null;
  readonly latencyMs: number | null;
  readonly streak: number;
  readonly unhealthy: boolean;
}

export function viewHealth(counts: HealthCounts | undefined, policy: HealthPolicy): ProviderHealth {
  const attempts = counts?.attempts ?? 0;
  const errorRate = attempts > 0 ? (counts?.errors ?? 0) / attempts : 0;
  const receipts = (counts?.delivered ?? 0) + (counts?.undelivered ?? 0);
  const streak = counts?.streak ?? 0;

  return {
    attempts,
    errorRate,
    deliveryRate: receipts >= policy.minReceipts ? (counts?.delivered ?? 0) / receipts : null,
    latencyMs: counts && counts.latencyCount > 0 ? counts.latencySumMs / counts.latencyCount : null,
    streak,
    unhealthy: attempts >= policy.minAttempts && errorRate > policy.errorThreshold && streak < policy.recoveryStreak,
  };
}

/**
 * Lower is better: the price of this message, made dearer by a poor delivery rate (paying for
 * messages that do not arrive), by errors (retries cost time) and by latency (5 s doubles it).
 */
export function healthFactor(health: ProviderHealth, policy: HealthPolicy): number {
  const delivery = Math.max(health.deliveryRate ?? 1, 0.1);
  // A provider that proved it recovered (a streak of successes) is charged at most the threshold's
  // error rate: otherwise the outage's errors would keep it behind for the rest of the window.
  const errorRate =
    health.streak >= policy.recoveryStreak ? Math.min(health.errorRate, policy.errorThreshold) : health.errorRate;

  return (1 / delivery) * (1 + errorRate) * (1 + (health.latencyMs ?? 0) / 5000);
}

export const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
