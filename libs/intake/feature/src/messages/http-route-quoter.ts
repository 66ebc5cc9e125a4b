import type { RouteQuote, RouteQuoteNetwork, RouteQuoter, RouteQuoteRequest, RouteQuoteRule } from '@sms/contracts';

/** How long a quote waits for the router: a caller is waiting, and the rest of the quote stands without it. */
const ROUTER_TIMEOUT_MS = 3_000;
/** `GET /v1/routes/explain` takes 1-10 segments; the choice ranks price per segment, so 10 stands for more. */
const EXPLAIN_MAX_SEGMENTS = 10;

interface ExplainAnswer {
  readonly decision?: unknown;
  readonly chosen?: { provider?: unknown; sender?: unknown; price?: unknown; currency?: unknown } | null;
  readonly code?: unknown;
  readonly reason?: unknown;
  readonly network?: unknown;
  readonly rule?: unknown;
}

/**
 * A distributed intake's route for a quote: the router service's own dry run (`GET /v1/routes/explain`),
 * asked with the caller's API key, so the router applies its own authentication and nothing is booked.
 * Any failure (router down, timeout, unexpected answer) is thrown; the quote reports the route unavailable.
 */
export class HttpRouteQuoter implements RouteQuoter {
  constructor(
    private readonly routerUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async quote(request: RouteQuoteRequest, credential: string): Promise<RouteQuote> {
    const query = new URLSearchParams({
      to: request.to,
      messageClass: request.messageClass,
      segments: String(Math.min(request.segments, EXPLAIN_MAX_SEGMENTS)),
      ...(request.from === null ? {} : { from: request.from }),
    });
    const response = await this.fetchFn(`${this.routerUrl.replace(/\/$/, '')}/v1/routes/explain?${query.toString()}`, {
      headers: { authorization: `Bearer ${credential}`, accept: 'application/json' },
      signal: AbortSignal.timeout(ROUTER_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      throw new Error(`router answered ${response.status}`);
    }

    return toRouteQuote((await response.json()) as ExplainAnswer);
  }
}

function toRouteQuote(answer: ExplainAnswer): RouteQuote {
  const reason = typeof answer.reason === 'string' ? answer.reason : '';
  const chosen = answer.chosen;
  if (
    answer.decision === 'route' &&
    chosen &&
    typeof chosen.provider === 'string' &&
    typeof chosen.sender === 'string' &&
    typeof chosen.price === 'string' &&
    typeof chosen.currency === 'string'
  ) {
    return {
      decision: 'route',
      chosen: { provider: chosen.provider, sender: chosen.sender, price: chosen.price, currency: chosen.currency },
      code: null,
      reason,
      ...networkOf(answer),
      ...ruleOf(answer),
    };
  }
  if ((answer.decision === 'no-route' || answer.decision === 'refused') && typeof answer.code === 'string') {
    return {
      decision: answer.decision,
      chosen: null,
      code: answer.code,
      reason,
      ...networkOf(answer),
      ...ruleOf(answer),
    };
  }
  throw new Error('router answered an unexpected explain body');
}

/** Explain's `network` (a router older than portability sends none): passed on only when well formed. */
function networkOf(answer: ExplainAnswer): { network?: RouteQuoteNetwork } {
  const n = answer.network as Partial<Record<keyof RouteQuoteNetwork, unknown>> | null | undefined;
  const text = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (
    typeof n !== 'object' ||
    n === null ||
    !text(n.mcc) ||
    !text(n.mnc) ||
    !text(n.carrierName) ||
    !text(n.lineType) ||
    !(n.source === 'lookup' || n.source === 'cache' || n.source === 'none') ||
    typeof n.detail !== 'string'
  ) {
    return {};
  }

  return {
    network: {
      mcc: n.mcc,
      mnc: n.mnc,
      carrierName: n.carrierName,
      lineType: n.lineType,
      source: n.source,
      detail: n.detail,
    },
  };
}

/** Explain's `rule` (a router older than network rules sends none): passed on only when well formed. */
function ruleOf(answer: ExplainAnswer): { rule?: RouteQuoteRule } {
  const r = answer.rule as Partial<Record<keyof RouteQuoteRule, unknown>> | null | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    !(r.level === 'network' || r.level === 'country' || r.level === 'default') ||
    !(r.network === null || typeof r.network === 'string')
  ) {
    return {};
  }

  return { rule: { level: r.level, network: r.network } };
}
