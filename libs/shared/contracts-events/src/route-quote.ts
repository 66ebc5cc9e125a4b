/**
 * The router's decision for a message that is not sent (intake's `POST /v1/messages/quote`). In the embedded
 * mode the router module in the same process provides it under {@link ROUTE_QUOTER}; a distributed intake asks
 * the router service over HTTP (its `GET /v1/routes/explain`) with the caller's own credential.
 */
export const ROUTE_QUOTER = 'ROUTE_QUOTER';

export interface RouteQuoteRequest {
  /** E.164. */
  readonly to: string;
  readonly country: string;
  readonly from: string | null;
  readonly segments: number;
  readonly messageClass: string;
}

export interface RouteQuote {
  /** `unavailable`: the router could not be asked (not configured, down); the rest of the quote still holds. */
  readonly decision: 'route' | 'no-route' | 'refused' | 'unavailable';
  /** The chosen provider, sender and price per segment; null unless `decision` is `route`. */
  readonly chosen: {
    readonly provider: string;
    readonly sender: string;
    readonly price: string;
    readonly currency: string;
  } | null;
  /** Why there is no route (NO_ROUTE, COUNTRY_NOT_ALLOWED, ROUTER_UNAVAILABLE, ...); null with a route. */
  readonly code: string | null;
  readonly reason: string;
  /**
   * The destination's mobile network the decision used (number portability): from a lookup now, a cached
   * one, or none (routed by prefix). Absent when the router was not asked.
   */
  readonly network?: RouteQuoteNetwork;
  /** Which rule the decision applied: the network's, the country's, or the defaults. Absent when not asked. */
  readonly rule?: RouteQuoteRule;
}

export interface RouteQuoteRule {
  readonly level: 'network' | 'country' | 'default';
  /** The network (`234-30`) of a network rule; null otherwise. */
  readonly network: string | null;
}

export interface RouteQuoteNetwork {
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly carrierName: string | null;
  readonly lineType: string | null;
  readonly source: 'lookup' | 'cache' | 'none';
  readonly detail: string;
}

export interface RouteQuoter {
  /** Books nothing and sends nothing. `credential` is the caller's API key, for a quoter that calls over HTTP. */
  quote(request: RouteQuoteRequest, credential: string): Promise<RouteQuote>;
}
