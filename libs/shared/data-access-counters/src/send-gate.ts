import type { KeyValueStore } from './key-value.store';

/** How long each side's mark is kept (ms). */
export const SEND_GATE_TTL = {
  /**
   * A send's mark must outlive the time intake needs to learn the attempt's outcome (the status event in
   * transit): once the ledger says `sending`/`sent` or schedules the next attempt, a cancel is decided on
   * the ledger. An hour covers a long consumer lag (its Redis cost: docs/scheduling.md).
   */
  sendingMs: 60 * 60_000,
  /**
   * A cancel's mark must outlive every copy of the attempt still on its way (a Kafka backlog, the router's
   * no-route backlog, a rate wait): a week is far past any of them. Cancels are rare, so the space is not.
   */
  cancelledMs: 7 * 24 * 3600_000,
} as const satisfies Record<string, number>;

const SENDING = 'sending';
const CANCELLED = 'cancelled';

export type GateEntry = 'open' | 'cancelled';
export type GateCancel = 'cancelled' | 'already-cancelled' | 'with-provider';

/**
 * The one place where a cancel and a send of the same attempt meet, so that exactly one of them wins: the
 * send-worker marks an attempt `sending` right before it calls the provider, a cancel marks it `cancelled`,
 * and each only with "set if absent" (Redis SET NX in the distributed mode, where intake and the
 * send-worker share nothing else; the in-process Map embedded). Whichever mark is there first decides:
 * a cancelled attempt never reaches a provider, and a cancel of an attempt that did answers 409.
 *
 * Per attempt, not per message: an attempt that failed and was rescheduled is no longer with the
 * provider, so the next attempt can still be cancelled.
 */
export class SendGate {
  constructor(
    private readonly kv: KeyValueStore,
    /** The namespace of the keys (REDIS_KEY_PREFIX). */
    private readonly namespace: string,
  ) {}

  /** The send-worker, right before the provider call: `open` unless the attempt was cancelled. */
  async enter(messageId: string, attempt: number): Promise<GateEntry> {
    const key = this.key(messageId, attempt);
    if (await this.kv.setIfAbsent(key, SENDING, SEND_GATE_TTL.sendingMs)) {
      return 'open';
    }

    // Marked before: by a cancel, or by this attempt's own earlier send (a redelivery the send-worker's
    // attempt store lets through after asking the provider).
    return (await this.kv.get(key)) === CANCELLED ? 'cancelled' : 'open';
  }

  /** Intake's cancel of the attempt the ledger holds: `with-provider` when a send of it has begun. */
  async cancel(messageId: string, attempt: number): Promise<GateCancel> {
    const key = this.key(messageId, attempt);
    if (await this.kv.setIfAbsent(key, CANCELLED, SEND_GATE_TTL.cancelledMs)) {
      return 'cancelled';
    }

    // Anything but our own mark is a send that began (a mark that expired meanwhile is an hour-old send).
    return (await this.kv.get(key)) === CANCELLED ? 'already-cancelled' : 'with-provider';
  }

  private key(messageId: string, attempt: number): string {
    return `${this.namespace}send-gate:${messageId}:${attempt}`;
  }
}
