import type { CallbackAttempt } from './simulator.callbacks';

export type AwsSimOutcome = 'delivered' | 'undelivered' | 'failed';
export type AwsSimApi = 'eum' | 'sns';

/** A message the simulated AWS accepted, with every event notification attempt made for it. */
export interface AwsSimMessage {
  readonly messageId: string;
  readonly api: AwsSimApi;
  readonly to: string;
  readonly originationIdentity: string | null;
  readonly body: string;
  readonly configurationSet: string | null;
  readonly context: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly outcome: AwsSimOutcome;
  /** True when the 200 was withheld past the client's timeout (`timeoutAfterAcceptRate`). */
  readonly responseWithheld: boolean;
  readonly events: (CallbackAttempt & { readonly eventType: string })[];
}

/** A request answered with an AWS error. */
export interface AwsSimRejection {
  readonly at: string;
  readonly api: AwsSimApi;
  readonly clientReference: string | null;
  readonly to: string | null;
  readonly httpStatus: number;
  readonly type: string;
  readonly reason: string | null;
}

export interface ReferenceCount {
  submits: number;
  accepted: number;
}

/** Bounded so a simulator left running under load does not grow without limit; oldest entries go first. */
const MAX_ENTRIES = 10_000;

/**
 * What the simulated AWS received, plus its throttle bucket. Submits are counted per client reference (our
 * message id in EUM `Context`), the AWS counterpart of Twilio's idempotency token, so tests can see resends.
 */
export class AwsSimStore {
  private readonly messages = new Map<string, AwsSimMessage>();
  private readonly rejections: AwsSimRejection[] = [];
  private readonly references = new Map<string, ReferenceCount>();
  // Same token bucket as the Twilio store (one second of burst); kept separate so each provider throttles alone.
  private bucket = { tokens: Number.NaN, refilledAt: 0 };

  recordSubmit(reference: string | null): void {
    if (reference === null) {
      return;
    }
    const count = this.references.get(reference) ?? { submits: 0, accepted: 0 };
    count.submits += 1;
    this.references.set(reference, count);
    trim(this.references);
  }

  recordAccepted(message: AwsSimMessage, reference: string | null): void {
    this.messages.set(message.messageId, message);
    trim(this.messages);
    if (reference !== null) {
      const count = this.references.get(reference);
      if (count !== undefined) {
        count.accepted += 1;
      }
    }
  }

  recordRejection(rejection: AwsSimRejection): void {
    this.rejections.push(rejection);
    if (this.rejections.length > MAX_ENTRIES) {
      this.rejections.shift();
    }
  }

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

  snapshot(): {
    messages: AwsSimMessage[];
    rejected: AwsSimRejection[];
    submitsByReference: Record<string, ReferenceCount>;
  } {
    return {
      messages: [...this.messages.values()],
      rejected: [...this.rejections],
      submitsByReference: Object.fromEntries(this.references),
    };
  }

  reset(): void {
    this.messages.clear();
    this.rejections.length = 0;
    this.references.clear();
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
