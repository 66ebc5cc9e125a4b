import type { CallbackAttempt } from './simulator.callbacks';

export type TwilioSimOutcome = 'delivered' | 'undelivered' | 'failed';

/** A message the simulated API accepted (201), with every status callback attempt made for it. */
export interface TwilioSimMessage {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly statusCallback: string | null;
  readonly idempotencyToken: string | null;
  readonly createdAt: string;
  readonly outcome: TwilioSimOutcome;
  /** True when the 201 was withheld past the client's timeout (`timeoutAfterAcceptRate`). */
  readonly responseWithheld: boolean;
  readonly callbacks: (CallbackAttempt & { readonly status: string })[];
}

/** A submit answered with an error: the client learnt (or could have learnt) nothing was created. */
export interface TwilioSimRejection {
  readonly at: string;
  readonly idempotencyToken: string | null;
  readonly to: string | null;
  readonly httpStatus: number;
  readonly code: number;
}

export interface TokenCount {
  submits: number;
  accepted: number;
}

/** Bounded so a simulator left running under load does not grow without limit; oldest entries go first. */
const MAX_ENTRIES = 10_000;

/** What the simulated Twilio received, plus its throttle bucket. */
export class TwilioSimStore {
  private readonly messages = new Map<string, TwilioSimMessage>();
  private readonly rejections: TwilioSimRejection[] = [];
  private readonly tokens = new Map<string, TokenCount>();
  private bucket = { tokens: Number.NaN, refilledAt: 0 };

  recordSubmit(token: string | null): void {
    if (token === null) {
      return;
    }
    const count = this.tokens.get(token) ?? { submits: 0, accepted: 0 };
    count.submits += 1;
    this.tokens.set(token, count);
    trim(this.tokens);
  }

  recordAccepted(message: TwilioSimMessage): void {
    this.messages.set(message.sid, message);
    trim(this.messages);
    if (message.idempotencyToken !== null) {
      const count = this.tokens.get(message.idempotencyToken);
      if (count !== undefined) {
        count.accepted += 1;
      }
    }
  }

  recordRejection(rejection: TwilioSimRejection): void {
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

  snapshot(): {
    messages: TwilioSimMessage[];
    rejected: TwilioSimRejection[];
    submitsByToken: Record<string, TokenCount>;
  } {
    return {
      messages: [...this.messages.values()],
      rejected: [...this.rejections],
      submitsByToken: Object.fromEntries(this.tokens),
    };
  }

  reset(): void {
    this.messages.clear();
    this.rejections.length = 0;
    this.tokens.clear();
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
