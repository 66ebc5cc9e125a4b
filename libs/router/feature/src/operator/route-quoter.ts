import type { RouteQuote, RouteQuoter, RouteQuoteRequest } from '@sms/contracts';
import type { MessageClass } from '@sms/contracts';
import type { RoutingEngine } from '../routing/routing-engine';
import { networkView } from './explain.service';

/** The engine's dry-run decision for intake's quote, in the same process (embedded mode): books nothing. */
export class EngineRouteQuoter implements RouteQuoter {
  constructor(private readonly engine: RoutingEngine) {}

  async quote(request: RouteQuoteRequest): Promise<RouteQuote> {
    const resolution = await this.engine.resolveNetwork(request.to, request.country);
    const network = networkView(resolution);
    const outcome = await this.engine.route(
      {
        to: request.to,
        country: request.country,
        from: request.from,
        segments: request.segments,
        messageClass: request.messageClass as MessageClass,
        avoidProviders: [],
        pinProvider: null,
        network: resolution.network,
      },
      true,
    );
    const rule = outcome.rule ?? { level: 'default' as const, network: null };
    if (outcome.kind === 'route') {
      return {
        decision: 'route',
        chosen: {
          provider: outcome.providerId,
          sender: outcome.sender,
          price: outcome.price,
          currency: outcome.currency,
        },
        code: null,
        reason: outcome.reason,
        network,
        rule,
      };
    }

    return { decision: outcome.kind, chosen: null, code: outcome.code, reason: outcome.reason, network, rule };
  }
}
