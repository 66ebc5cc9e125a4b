/** What a sender asks before a message leaves. */
export interface OptOutQuery {
  /** E.164 recipient. */
  readonly recipient: string;
  /** The sender number or ID; null (the router has not picked one yet) matches every-sender entries only. */
  readonly sender: string | null;
  /**
   * The account the message belongs to. Null when the caller cannot tell: then an entry of any account
   * blocks (fail closed), because letting through a message the recipient refused is the worse error.
   */
  readonly accountId: string | null;
  /** Lets the opt-out service's own confirmation reply through. */
  readonly messageId?: string;
}

/**
 * The one question every sender asks before a message leaves: may this account's sender text this
 * recipient? Intake asks it before writing the ledger, the send-worker again right before the provider
 * call, and any other sender (e.g. a DLR fallback) through the same port. Inject it with
 * {@link OPT_OUT_CHECKER}.
 */
export interface OptOutChecker {
  /**
   * True when `recipient` opted out of `sender` or of every sender, in the message's account or in
   * every account (STOPALL, or a STOP whose account could not be told).
   */
  isOptedOut(query: OptOutQuery): Promise<boolean>;
}

export const OPT_OUT_CHECKER = Symbol('OPT_OUT_CHECKER');
