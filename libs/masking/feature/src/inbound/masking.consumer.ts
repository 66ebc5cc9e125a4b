import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import { decodeEvent, DEFAULT_ACCOUNT_ID, InboundReceivedV1, type SendRequestedV1, TOPICS } from '@sms/contracts';
import { classifyKeyword, type KeywordSet } from '@sms/opt-out-registry';
import { parsePhone } from '@sms/phone';
import { v5 as uuidv5 } from 'uuid';
import type { MaskSessions } from '../sessions/mask-sessions';

/** Namespace of the forwarded messages' ids (a fixed random UUID, so ids are stable across restarts). */
const FORWARD_ID_NAMESPACE = '3b0e7a8e-8f3c-4f0e-9a57-2a4f7e0c1d52';

/**
 * Relays an inbound message from one participant to the other, with the other side's masked number as
 * the sender, by publishing on `sms.send.v1`: the forward takes the normal path (intake's rules and
 * opt-outs, routing, rate limits). Its id derives from the inbound message, so a redelivered inbound
 * record is absorbed by intake's idempotency instead of being forwarded twice.
 */
export class MaskingConsumer {
  private readonly logger = new Logger('masking');

  constructor(
    private readonly sessions: MaskSessions,
    private readonly bus: Bus,
    private readonly strangerReply: string,
    private readonly keywords: KeywordSet,
  ) {}

  /** A line about an inbound message names it: provider and the provider's message id. */
  private ids(inbound: InboundReceivedV1): { provider: string; providerMessageId: string } {
    return { provider: inbound.provider, providerMessageId: inbound.providerMessageId };
  }

  handle = async (record: ConsumedRecord): Promise<void> => {
    if (record.topic !== TOPICS.inbound) {
      throw new NonRetriableError(`masking does not consume ${record.topic}`);
    }
    const inbound = decodeEvent(InboundReceivedV1, record.value);
    const from = e164(inbound.from);
    const to = e164(inbound.to);
    const route = await this.sessions.routeInbound(from, to);
    const id = uuidv5(`${inbound.provider}:${inbound.providerMessageId}`, FORWARD_ID_NAMESPACE);
    switch (route.kind) {
      case 'forward':
        // STOP, START, HELP (and their variants) are the gateway's to answer, not words for the other party:
        // the opt-out service records them for the session's account and confirms from this masked number.
        if (classifyKeyword(inbound.body, this.keywords) !== null) {
          this.logger.log({
            msg: `mask ${route.maskId}: keyword from a participant handled by opt-out, not forwarded`,
            ...this.ids(inbound),
          });

          return;
        }
        await this.publish({ id, to: route.to, from: route.from, body: inbound.body, accountId: route.accountId });

        return;
      case 'closed':
        this.logger.log({ msg: `mask ${route.maskId} is closed: inbound message not forwarded`, ...this.ids(inbound) });

        return;
      case 'stranger':
        this.logger.log({
          msg: 'inbound from a non-participant to a pool number: not forwarded',
          ...this.ids(inbound),
        });
        if (this.strangerReply.trim().length > 0) {
          await this.publish({ id, to: from, from: to, body: this.strangerReply });
        }

        return;
      case 'not-masked':
        return;
    }
  };

  /**
   * Intake refuses sms.send.v1 without an account: a forward goes out in its session's account; the reply
   * to a stranger, who belongs to no session, in the default account.
   */
  private async publish(request: SendRequestedV1): Promise<void> {
    const value: SendRequestedV1 = { ...request, accountId: request.accountId ?? DEFAULT_ACCOUNT_ID };
    await this.bus.publish([{ topic: TOPICS.send, key: request.id, value }]);
  }
}

function e164(number: string): string {
  const trimmed = number.trim();
  const parsed = parsePhone(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);

  return parsed.ok ? parsed.e164 : trimmed;
}
