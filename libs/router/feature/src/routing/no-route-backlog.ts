import type { MessageAcceptedV1 } from '@sms/contracts';
import type { RoutingMetrics } from './routing-metrics';

export interface BacklogOptions {
  /** First retry after this; doubles per try up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Beyond this many messages the backlog stops holding new ones (see hold()). */
  readonly capacity: number;
}

interface Entry {
  readonly message: MessageAcceptedV1;
  tries: number;
  dueAt: number;
}

/**
 * Messages no provider can take right now (every provider that serves the country is unhealthy,
 * or none has a compliant sender). They stay `queued` in the ledger and wait here to be routed
 * again; the gauge per country is the backlog metric. This is a fast path only: the ledger keeps
 * them `queued`, so intake's stale-message sweep republishes any this process loses (a crash) or
 * refuses to hold (over capacity).
 */
export class NoRouteBacklog {
  private readonly entries = new Map<string, Entry>();
  private readonly perCountry = new Map<string, number>();

  constructor(
    private readonly metrics: RoutingMetrics,
    private readonly options: BacklogOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** False when full: the message is then left to the stale sweep. */
  hold(message: MessageAcceptedV1): boolean {
    const known = this.entries.get(message.messageId);
    if (!known && this.entries.size >= this.options.capacity) {
      return false;
    }
    const tries = (known?.tries ?? 0) + 1;
    const delay = Math.min(this.options.baseDelayMs * 2 ** (tries - 1), this.options.maxDelayMs);
    this.entries.set(message.messageId, { message, tries, dueAt: this.now() + delay });
    if (!known) {
      this.count(message.country, +1);
    }

    return true;
  }

  /** Takes the messages due for another routing try out of the backlog. */
  takeDue(): MessageAcceptedV1[] {
    const now = this.now();
    const due: MessageAcceptedV1[] = [];
    for (const entry of this.entries.values()) {
      if (entry.dueAt <= now) {
        due.push(entry.message);
      }
    }

    return due;
  }

  release(message: MessageAcceptedV1): void {
    const entry = this.entries.get(message.messageId);
    if (entry) {
      this.entries.delete(message.messageId);
      this.count(entry.message.country, -1);
    }
  }

  size(): number {
    return this.entries.size;
  }

  private count(country: string, delta: number): void {
    const size = (this.perCountry.get(country) ?? 0) + delta;
    if (size <= 0) {
      this.perCountry.delete(country);
    } else {
      this.perCountry.set(country, size);
    }
    this.metrics.setBacklog(country, Math.max(size, 0));
  }
}
