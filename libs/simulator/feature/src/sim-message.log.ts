import type { CallbackAttempt } from './simulator.callbacks';

export type SimOutcome = 'delivered' | 'undelivered' | 'failed';

/** One webhook attempt for a message, labelled with the provider status word it reported. */
export type SimCallback = CallbackAttempt & { readonly status: string };

/** A submit answered with an error: the client learnt (or could have learnt) nothing was created. */
export interface SimRejection {
  readonly at: string;
  /** Our message id when the request carried it (Vonage `client-ref`, Sinch `client_reference`). */
  readonly clientRef: string | null;
  readonly to: string | null;
  readonly httpStatus: number;
  readonly code: string;
}

/** Bounded so a simulator left running under load does not grow without limit; oldest entries go first. */
const MAX_ENTRIES = 10_000;

/** How often the gateway submitted one message (the duplicate-send check), and how often it was accepted. */
export interface SubmitCount {
  submits: number;
  accepted: number;
}

/**
 * What one simulated provider received, keyed by its own message id; submits counted per client reference
 * (Twilio's idempotency token, Vonage `client-ref`, Sinch `client_reference`, AWS `Context`); and the
 * provider's throttle bucket. One instance per provider, so each throttles alone. `submitsKey` names the
 * per-reference counts in `snapshot()` (the field `GET /sim/<provider>/messages` answers with).
 */
export class SimMessageLog<M, R = SimRejection, K extends string = 'submitsByClientRef'> {
  private readonly messages = new Map<string, M>();
  private readonly rejections: R[] = [];
  private readonly submits = new Map<string, SubmitCount>();
  private bucket = { tokens: Number.NaN, refilledAt: 0 };

  constructor(private readonly submitsKey: K = 'submitsByClientRef' as K) {}

  recordSubmit(reference: string | null): void {
    if (reference === null) {
      return;
    }
    const count = this.submits.get(reference) ?? { submits: 0, accepted: 0 };
    count.submits += 1;
    this.submits.set(reference, count);
    trim(this.submits);
  }

  recordAccepted(id: string, message: M, reference: string | null): void {
    this.messages.set(id, message);
    trim(this.messages);
    const count = reference === null ? undefined : this.submits.get(reference);
    if (count !== undefined) {
      count.accepted += 1;
    }
  }

  /** One accepted message by the provider's id (the simulated lookup APIs). */
  get(id: string): M | undefined {
    return this.messages.get(id);
  }

  /** Accepted messages, oldest first (the simulated search APIs filter these). */
  list(): M[] {
    return [...this.messages.values()];
  }

  recordRejection(rejection: R): void {
    this.rejections.push(rejection);
    if (this.rejections.length > MAX_ENTRIES) {
      this.rejections.shift();
    }
  }

  /** Token bucket holding one second of requests (at least one), so a burst right after idling is allowed. */
  takeThrottleToken(ratePerSecond: number | null, nowMs: number): boolean {
    if (ratePerSecond === null) {
      this.bucket = { tokens: Number.NaN, refilledAt: 0 };

      return true;
    }
    const capacity = Math.max(1, ratePerSecond);
    const elapsed = Math.max(0, nowMs - this.bucket.refilledAt) / 1000;
    const tokens = Number.isNaN(this.bucket.tokens) ? capacity : this.bucket.tokens;
    const available = Math.min(capacity, tokens + elapsed * ratePerSecond);
    const allowed = available >= 1;
    this.bucket = { tokens: allowed ? available - 1 : available, refilledAt: nowMs };

    return allowed;
  }

  snapshot(): { messages: M[]; rejected: R[] } & Record<K, Record<string, SubmitCount>> {
    return {
      messages: [...this.messages.values()],
      rejected: [...this.rejections],
      [this.submitsKey]: Object.fromEntries(this.submits),
    } as { messages: M[]; rejected: R[] } & Record<K, Record<string, SubmitCount>>;
  }

  reset(): void {
    this.messages.clear();
    this.rejections.length = 0;
    this.submits.clear();
    this.bucket = { tokens: Number.NaN, refilledAt: 0 };
  }
}

function trim(map: Map<string, unknown>): void {
  while (map.size > MAX_ENTRIES) {
    const oldest = map.keys().next();
    if (oldest.done === true) {
      return;
    }
    map.delete(oldest.value);
  }
}
