/**
 * The one question every sender asks before a message leaves: may this sender text this recipient?
 * Intake asks it before writing the ledger, the send-worker again right before the provider call, and
 * any other sender (e.g. a DLR fallback) through the same port. Inject it with {@link OPT_OUT_CHECKER}.
 */
export interface OptOutChecker {
  /**
   * True when `recipient` (E.164) opted out of `sender` (a number or sender ID) or of the whole
   * account. A null sender (the router has not picked one yet) matches account-wide entries only.
   * `messageId`, when given, lets the opt-out service's own confirmation reply through.
   */
  isOptedOut(recipient: string, sender: string | null, messageId?: string): Promise<boolean>;
}

export const OPT_OUT_CHECKER = Symbol('OPT_OUT_CHECKER');
