/**
 * Number portability: which mobile network serves a number now (a ported number keeps its prefix but moves
 * network). The router asks only for countries where the operator turned lookups on, since each costs money.
 */

/** A mobile network: MCC (3 digits) and MNC (2-3 digits), as the ITU assigns them. */
export interface MobileNetwork {
  readonly mcc: string;
  readonly mnc: string;
}

/** What a lookup source said about a number. */
export interface NumberLookupFound {
  readonly outcome: 'found';
  /** The source's line type (Twilio: mobile, landline, fixedVoip, nonFixedVoip, tollFree, ...); null if not told. */
  readonly lineType: string | null;
  readonly carrierName: string | null;
  /** Null when the source knows the number but names no mobile network (a landline, a VoIP number). */
  readonly network: MobileNetwork | null;
  /** Whether the number left its original network, when the source says so (Twilio's Lookup v2 does not). */
  readonly ported?: boolean;
  readonly source: string;
  /** ISO 8601. */
  readonly lookedUpAt: string;
}

/** No answer worth routing on: the caller routes by prefix. */
export interface NumberLookupUnknown {
  readonly outcome: 'unknown';
  /**
   * `not_found`: the source does not know the number (cacheable, briefly); `timeout`, `error`: the source could
   * not be asked or failed (not cached); `refused`: the source turned the request down (credentials, quota).
   */
  readonly reason: 'not_found' | 'timeout' | 'error' | 'refused';
  readonly source: string;
  readonly lookedUpAt: string;
}

export type NumberLookupResult = NumberLookupFound | NumberLookupUnknown;

/**
 * A number lookup source (Twilio Lookup v2, ...). Never throws: every failure is an `unknown` answer, and
 * the answer comes within the adapter's own timeout.
 */
export interface NumberLookup {
  /** Stable id of the source, as operators name it in the per-country setting (`twilio`). */
  readonly source: string;
  /** `e164`: +digits. */
  lookup(e164: string): Promise<NumberLookupResult>;
}

/** MCC 3 digits, MNC 2 or 3: what a rate's network and a lookup's answer must look like to be used. */
export const isMobileNetwork = (mcc: unknown, mnc: unknown): boolean =>
  typeof mcc === 'string' && /^\d{3}$/.test(mcc) && typeof mnc === 'string' && /^\d{2,3}$/.test(mnc);
