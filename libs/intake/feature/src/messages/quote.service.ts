import { Logger } from '@nestjs/common';
import type { RouteQuote, RouteQuoter } from '@sms/contracts';
import { decimalToMicros, microsToDecimal } from '@sms/counters';
import type { OptOutChecker } from '@sms/opt-out-registry';
import type { MessagesService } from './messages.service';
import { phoneParseCache } from './phone-cache';

/** The 200 body of `POST /v1/messages/quote` (api.md "Quotes"). */
export interface QuoteView {
  readonly to: string;
  readonly country: string;
  /** libphonenumber's type, lower-case with hyphens: `mobile`, `fixed-line-or-mobile`, `premium-rate`, ... */
  readonly numberType: string;
  readonly from: string | null;
  readonly messageClass: string;
  /** The body as it would be sent (after smart encoding). */
  readonly body: string;
  readonly encoding: string;
  readonly segments: number;
  readonly segmentsSaved: number;
  /** True when a send would be refused with RECIPIENT_OPTED_OUT. */
  readonly optedOut: boolean;
  readonly route: RouteQuote;
  /** price per segment × segments with a route, else null. */
  readonly total: string | null;
  readonly currency: string | null;
}

const UNAVAILABLE: RouteQuote = {
  decision: 'unavailable',
  chosen: null,
  code: 'ROUTER_UNAVAILABLE',
  reason: 'The router could not be asked for a route; retry later',
};

/**
 * A dry run of a send: the same validation, masked-number resolution and smart encoding, then what a send would
 * meet (opt-out, the router's choice and price) without storing, counting or publishing anything.
 */
export class QuoteService {
  private readonly logger = new Logger('intake-quote');

  constructor(
    private readonly messages: MessagesService,
    private readonly optOuts: OptOutChecker,
    /** The router's dry run: in this process (embedded) or over HTTP (distributed); null when neither. */
    private readonly routeQuoter: () => RouteQuoter | null,
  ) {}

  async quote(body: unknown, accountId: string, credential: string): Promise<QuoteView> {
    const resolved = this.messages.resolveMasked(this.messages.validate(body), accountId);
    const message = await this.messages.smartEncoded(resolved, accountId);
    const optedOut = await this.optOuts.isOptedOut({ recipient: message.to, sender: message.from, accountId });
    const route = await this.route(
      {
        to: message.to,
        country: message.country,
        from: message.from,
        segments: message.segments,
        messageClass: message.messageClass,
      },
      credential,
    );
    const price = route.chosen === null ? null : decimalToMicros(route.chosen.price);
    const phone = phoneParseCache.parse(message.to);
    const type = phone.ok && phone.type !== undefined ? phone.type : 'UNKNOWN';

    return {
      to: message.to,
      country: message.country,
      numberType: type.toLowerCase().replace(/_/g, '-'),
      from: message.from,
      messageClass: message.messageClass,
      body: message.body,
      encoding: message.encoding,
      segments: message.segments,
      segmentsSaved: message.segmentsSaved ?? 0,
      optedOut,
      route,
      total: price === null ? null : microsToDecimal(price * message.segments),
      currency: price === null ? null : (route.chosen?.currency ?? null),
    };
  }

  private async route(request: Parameters<RouteQuoter['quote']>[0], credential: string): Promise<RouteQuote> {
    const quoter = this.routeQuoter();
    if (quoter === null) {
      return UNAVAILABLE;
    }
    try {
      return await quoter.quote(request, credential);
    } catch (error) {
      this.logger.warn(`route quote failed: ${String(error)}`);

      return UNAVAILABLE;
    }
  }
}
