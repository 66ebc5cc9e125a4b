import type { MessageAcceptedV1 } from '@sms/contracts';
import type { RateCandidate, RouteSnapshot } from './route-snapshot';

export type RouteDecision =
  | {
      readonly kind: 'route';
      readonly providerId: string;
      readonly sender: string;
      readonly price: string;
      readonly currency: string;
      readonly reason: string;
    }
  | { readonly kind: 'no-route'; readonly code: 'NO_ROUTE' | 'NO_SENDER'; readonly reason: string };

/**
 * The interim routing rule (the full engine is issue #4): the cheapest active provider that serves the
 * destination country, skipping providers that failed this message transiently while another one
 * can serve it, and keeping a provider that an ambiguous send may already have reached. Senders
 * rotate round-robin, preferring numbers of the destination country.
 */
export class RouteDecider {
  private readonly cursors = new Map<string, number>();

  decide(message: MessageAcceptedV1, snapshot: RouteSnapshot): RouteDecision {
    const rates = snapshot.ratesByCountry.get(message.country) ?? [];
    let candidates: readonly RateCandidate[] = rates;
    let why = 'cheapest active provider';
    if (message.pinProvider) {
      candidates = rates.filter((r) => r.providerId === message.pinProvider);
      why = `pinned to ${message.pinProvider} after an ambiguous send`;
    } else if (message.avoidProviders.length > 0) {
      const fresh = rates.filter((r) => !message.avoidProviders.includes(r.providerId));
      if (fresh.length > 0) {
        candidates = fresh;
        why = `cheapest provider not failed before (avoiding ${message.avoidProviders.join(', ')})`;
      } else {
        why = `every provider failed before; retrying the cheapest`;
      }
    }
    const chosen = candidates[0];
    if (!chosen) {
      return { kind: 'no-route', code: 'NO_ROUTE', reason: `no active provider has a rate for ${message.country}` };
    }
    const sender = this.pickSender(message, chosen.providerId, snapshot);
    if (!sender) {
      return { kind: 'no-route', code: 'NO_SENDER', reason: `${chosen.providerId} has no active sender number` };
    }
    const losers = rates.filter((r) => r !== chosen).map((r) => `${r.providerId} ${r.price}`);

    return {
      kind: 'route',
      providerId: chosen.providerId,
      sender: sender.number,
      price: chosen.price,
      currency: chosen.currency,
      reason: `${why} for ${message.country}: ${chosen.providerId} at ${chosen.price} ${chosen.currency}/segment; sender ${
        sender.how
      }${losers.length > 0 ? `; others: ${losers.join(', ')}` : ''}`,
    };
  }

  private pickSender(
    message: MessageAcceptedV1,
    providerId: string,
    snapshot: RouteSnapshot,
  ): { number: string; how: string } | null {
    if (message.from) {
      return { number: message.from, how: 'requested by the caller' };
    }
    const pool = (snapshot.numbersByProvider.get(providerId) ?? []).filter((n) => n.type !== 'alphanumeric');
    const local = pool.filter((n) => n.country === message.country);
    const choices = local.length > 0 ? local : pool;
    if (choices.length === 0) {
      return null;
    }
    const cursorKey = `${providerId}:${local.length > 0 ? message.country : '*'}`;
    const cursor = this.cursors.get(cursorKey) ?? 0;
    this.cursors.set(cursorKey, (cursor + 1) % choices.length);
    const picked = choices[cursor % choices.length]!;

    return {
      number: picked.number,
      how: `${local.length > 0 ? 'local' : 'international'} round-robin ${(cursor % choices.length) + 1} of ${choices.length}`,
    };
  }
}
