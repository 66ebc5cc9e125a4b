import { MessageClass } from '@sms/contracts';
import { parsePhone } from '@sms/phone';
import { unprocessable } from '@sms/platform';
import type { RoutingEngine } from '../routing/routing-engine';
import type { NetworkResolution } from '../portability/network-resolver';
import type { ExplainView, NetworkView } from './operator.views';

/** `GET /v1/routes/explain`: the engine's decision for a message sent now, booking nothing. */
export class ExplainService {
  constructor(private readonly engine: RoutingEngine) {}

  async explain(query: Record<string, string | undefined>): Promise<ExplainView> {
    const allowed = new Set(['to', 'messageClass', 'from', 'country', 'segments']);
    const unknownField = Object.keys(query).find((k) => !allowed.has(k));
    if (unknownField) {
      throw unprocessable(
        'UNKNOWN_FIELD',
        `Unknown parameter '${unknownField.slice(0, 64)}'`,
        unknownField.slice(0, 64),
      );
    }
    const parsed = parsePhone(query['to'] ?? '', query['country']);
    if (!parsed.ok) {
      throw unprocessable(
        parsed.reason === 'INVALID_COUNTRY' && query['country'] ? 'INVALID_COUNTRY' : 'INVALID_PHONE_NUMBER',
        'to must be a valid E.164 number such as +447400123456',
        parsed.reason === 'INVALID_COUNTRY' && query['country'] ? 'country' : 'to',
      );
    }
    const messageClass = (query['messageClass'] ?? MessageClass.Transactional) as MessageClass;
    if (!Object.values(MessageClass).includes(messageClass)) {
      throw unprocessable('INVALID_MESSAGE_CLASS', 'messageClass must be transactional or marketing', 'messageClass');
    }
    const segments = query['segments'] === undefined ? 1 : Number(query['segments']);
    if (!Number.isInteger(segments) || segments < 1 || segments > 10) {
      throw unprocessable('INVALID_SEGMENTS', 'segments must be an integer from 1 to 10', 'segments');
    }
    const from = query['from'] ?? null;
    if (from !== null && (from.length === 0 || from.length > 16)) {
      throw unprocessable('INVALID_SENDER', 'from must be 1-16 characters', 'from');
    }
    // A lookup here is paid like one for a message, and cached for the messages after it.
    const resolution = await this.engine.resolveNetwork(parsed.e164, parsed.country);
    const outcome = await this.engine.route(
      {
        to: parsed.e164,
        country: parsed.country,
        from,
        segments,
        messageClass,
        avoidProviders: [],
        pinProvider: null,
        network: resolution.network,
      },
      true,
    );
    const base = {
      to: parsed.e164,
      country: parsed.country,
      messageClass,
      segments,
      network: networkView(resolution),
      rule: outcome.rule ?? { level: 'default' as const, network: null },
      candidates: outcome.candidates.map((c) => ({
        ...c,
        senders: [...c.senders],
        factors: c.factors ? [...c.factors] : null,
      })),
    };
    if (outcome.kind === 'route') {
      return {
        ...base,
        decision: 'route',
        chosen: {
          provider: outcome.providerId,
          sender: outcome.sender,
          price: outcome.price,
          currency: outcome.currency,
          delayMs: outcome.delayMs,
        },
        code: null,
        reason: outcome.reason,
      };
    }

    return { ...base, decision: outcome.kind, chosen: null, code: outcome.code, reason: outcome.reason };
  }
}

/** The destination's network as explain and the quote show it. */
export function networkView(resolution: NetworkResolution): NetworkView {
  return {
    mcc: resolution.network?.mcc ?? null,
    mnc: resolution.network?.mnc ?? null,
    carrierName: resolution.carrierName,
    lineType: resolution.lineType,
    source: resolution.source,
    detail: resolution.detail,
  };
}
