import type { MessageAcceptedV1 } from '@sms/contracts';
import type { RoutingMetrics } from './routing-metrics';

export interface BacklogOptions {
  /** First retry after this; doubles per try up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Beyond this many messages the backlog stops holding new ones (see hold()). */
  readonly capacity: number;
  /**
   * How long a message without a validity period may wait for a route, counted like a validity from
   * its acceptance (ROUTER_NO_ROUTE_MAX_WAIT_SECONDS).
   */
  readonly maxWaitMs: number;
}

/** When a message stops waiting for a route, and why then. */
export interface RouteDeadline {
  readonly at: number;
  /** `validity`: the message's own validity period; `max-wait`: the cap for messages without one. */
  readonly because: 'validity' | 'max-wait';
}

export type HoldOutcome =
  | { readonly kind: 'held' }
  /** The backlog is full: the message is left to the stale-message sweep. */
  | { readonly kind: 'full' }
  /** Its deadline has passed: it must not wait any longer (the caller ends it). */
  | ({ readonly kind: 'expired' } & RouteDeadline);

interface Entry {
  readonly message: MessageAcceptedV1;
  tries: number;
  dueAt: number;
}

/**
 * Messages no provider can take right now (every provider that serves the country is unhealthy,
 * or none has a compliant sender). They stay `queued` in the ledger and wait here to be routed
 * again, each until its deadline (validity, or the max wait): the last try falls on the deadline, and
 * a message that still has no route then is not held again. The gauge per country is the backlog
 * metric. This is a fast path only: the ledger keeps them `queued`, so intake's stale-message sweep
 * republishes any this process loses (a crash) or refuses to hold (over capacity), and such a copy
 * meets the same deadline, which counts from the message's acceptance, not from its arrival here.
 */
export class NoRouteBacklog {
  private readonly entries = new Map<string, Entry>();
  private readonly perCountry = new Map<string, number>();

  constructor(
    private readonly metrics: RoutingMetrics,
    private readonly options: BacklogOptions,
    private readonly now: () => number = Date.now,
  ) {}

  deadlineOf(message: MessageAcceptedV1): RouteDeadline {
    // Intake's own deadline when it sent one: it counts the validity from a scheduled message's sendAt.
    const expiresAt = message.expiresAt ? Date.parse(message.expiresAt) : Number.NaN;
    if (Number.isFinite(expiresAt)) {
      return { at: expiresAt, because: 'validity' };
    }
    const acceptedAt = Date.parse(message.acceptedAt);
    const from = Number.isFinite(acceptedAt) ? acceptedAt : this.now();

    return message.validitySeconds === null
      ? { at: from + this.options.maxWaitMs, because: 'max-wait' }
      : { at: from + message.validitySeconds * 1000, because: 'validity' };
  }

  hold(message: MessageAcceptedV1): HoldOutcome {
    const now = this.now();
    const deadline = this.deadlineOf(message);
    if (now >= deadline.at) {
      this.release(message);

      return { kind: 'expired', ...deadline };
    }
    const known = this.entries.get(message.messageId);
    if (!known && this.entries.size >= this.options.capacity) {
      return { kind: 'full' };
    }
    const tries = (known?.tries ?? 0) + 1;
    const delay = Math.min(this.options.baseDelayMs * 2 ** (tries - 1), this.options.maxDelayMs);
    this.entries.set(message.messageId, { message, tries, dueAt: Math.min(now + delay, deadline.at) });
    if (!known) {
      this.count(message.country, +1);
    }

    return { kind: 'held' };
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
