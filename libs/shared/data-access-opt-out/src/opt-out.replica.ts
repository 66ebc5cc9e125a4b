import type { OptOutChangedV1 } from '@sms/contracts';
import type { OptOutChecker } from './opt-out-checker.port';

/** Marks an account-wide entry in a recipient's sender set. */
const ACCOUNT_WIDE = '*';
/** Confirmation replies remembered as exempt; they are sent within seconds, so a small window suffices. */
const MAX_EXEMPT_IDS = 10_000;

/**
 * An in-memory copy of the opt-out ledger, fed from the compacted `sms.optout.v1` topic. A lookup is
 * two Map/Set probes and no I/O, which keeps the intake hot path free of SQL and network round trips;
 * the price is memory (one small entry per opt-out) and a propagation delay of one bus hop.
 */
export class OptOutReplica implements OptOutChecker {
  private readonly entries = new Map<string, Set<string>>();
  /** Insertion-ordered, so the oldest id is evicted first. */
  private readonly exempt = new Set<string>();
  private applied = 0;

  /** Applies one entry state; replays and duplicates are harmless (the state is absolute, not a delta). */
  apply(change: Pick<OptOutChangedV1, 'number' | 'sender' | 'optedOut' | 'exemptMessageId'>): void {
    this.applied++;
    if (change.exemptMessageId) {
      this.exempt.add(change.exemptMessageId);
      if (this.exempt.size > MAX_EXEMPT_IDS) {
        this.exempt.delete(this.exempt.values().next().value as string);
      }
    }
    const scope = change.sender ?? ACCOUNT_WIDE;
    const senders = this.entries.get(change.number);
    if (change.optedOut) {
      if (senders) {
        senders.add(scope);
      } else {
        this.entries.set(change.number, new Set([scope]));
      }

      return;
    }
    senders?.delete(scope);
    if (senders?.size === 0) {
      this.entries.delete(change.number);
    }
  }

  isOptedOut(recipient: string, sender: string | null, messageId?: string): Promise<boolean> {
    return Promise.resolve(this.isOptedOutNow(recipient, sender, messageId));
  }

  /** The synchronous form, for callers on a hot loop that can skip the promise. */
  isOptedOutNow(recipient: string, sender: string | null, messageId?: string): boolean {
    const senders = this.entries.get(recipient);
    if (!senders || (messageId !== undefined && this.exempt.has(messageId))) {
      return false;
    }

    return senders.has(ACCOUNT_WIDE) || (sender !== null && senders.has(sender));
  }

  /** Records applied since start (for tests and metrics). */
  get appliedCount(): number {
    return this.applied;
  }
}
