import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  InboundReceivedV1,
  type SendRequestedV1,
  STATUS_ERROR_CLASS_HEADER,
  StatusChangedV1,
  TOPICS,
  DEFAULT_ACCOUNT_ID,
} from '@sms/contracts';
import { parsePhone } from '@sms/phone';
import { v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '@sms/platform';
import { classifyKeyword, keywordSet, type KeywordSet } from '../keywords/opt-out-keywords';
import type { OptOutLedger } from '../ledger/opt-out.ledger';

export interface OptOutPolicy {
  /** `sender`: a STOP blocks the number texted; `account`: every sender. STOPALL is always account-wide. */
  readonly scope: 'sender' | 'account';
  readonly keywords: KeywordSet;
  readonly replies: { readonly stop: string; readonly start: string; readonly help: string };
}

/** The policy a deployment's OPT_OUT_* settings describe. */
export const optOutPolicyOf = (config: AppConfig): OptOutPolicy => ({
  scope: config.OPT_OUT_SCOPE,
  keywords: keywordSet(config.OPT_OUT_EXTRA_STOP_WORDS, config.OPT_OUT_EXTRA_START_WORDS),
  replies: { stop: config.OPT_OUT_STOP_REPLY, start: config.OPT_OUT_START_REPLY, help: config.OPT_OUT_HELP_REPLY },
});

const OPTED_OUT_CLASS = 'opted_out';

/**
 * Records opt-out's group passes over unparsed: status events whose error-class header says they are no
 * provider-reported opt-out (in a receipt storm, nearly all of them). A record without the header (inbound
 * messages, an older producer's status) is parsed.
 */
export const cannotReportOptOut = (headers: Readonly<Record<string, string>>): boolean => {
  const errorClass = headers[STATUS_ERROR_CLASS_HEADER];

  return errorClass !== undefined && errorClass !== OPTED_OUT_CLASS;
};

/**
 * Turns inbound keywords and provider-reported opt-outs into ledger changes, and answers each change
 * with one confirmation from the number that was messaged (through `sms.send.v1`, so the reply takes
 * the normal path: routing, rate limits, the ledger).
 */
export class OptOutConsumer {
  private readonly logger = new Logger('opt-out');

  constructor(
    private readonly ledger: OptOutLedger,
    private readonly bus: Bus,
    private readonly policy: OptOutPolicy,
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    if (record.topic === TOPICS.inbound) {
      await this.onInbound(decodeEvent(InboundReceivedV1, record.value));
    } else if (record.topic === TOPICS.status) {
      // Nearly every status event is not an opt-out: skip those before paying for full validation.
      if ((record.value as { errorClass?: unknown } | null)?.errorClass === OPTED_OUT_CLASS) {
        await this.onStatus(decodeEvent(StatusChangedV1, record.value));
      }
    } else {
      throw new NonRetriableError(`opt-out does not consume ${record.topic}`);
    }
  };

  private async onInbound(inbound: InboundReceivedV1): Promise<void> {
    const intent = classifyKeyword(inbound.body, this.policy.keywords);
    if (intent === null) {
      return;
    }
    const recipient = e164(inbound.from);
    const messaged = e164(inbound.to);
    const replyId = uuidv7();
    switch (intent) {
      case 'stop':
      case 'stopall': {
        const accountWide = intent === 'stopall' || this.policy.scope === 'account';
        const created = await this.ledger.optOut({
          number: recipient,
          sender: accountWide ? null : messaged,
          source: 'keyword',
          reason: `${intent.toUpperCase()} keyword via ${inbound.provider}`,
          exemptMessageId: replyId,
        });
        this.logger.log(`opt-out by keyword (${intent}, ${accountWide ? 'account' : 'sender'}): new=${created}`);
        if (created) {
          await this.reply(replyId, recipient, messaged, this.policy.replies.stop);
        }

        return;
      }
      case 'start': {
        // START re-opens the conversation with the number texted: its own entry and an account-wide one.
        const removed = await this.ledger.optIn(
          {
            number: recipient,
            source: 'keyword',
            reason: `START keyword via ${inbound.provider}`,
            exemptMessageId: replyId,
          },
          this.policy.scope === 'account' ? [null] : [messaged, null],
        );
        this.logger.log(`re-subscribed by keyword: removed=${removed}`);
        if (removed > 0) {
          await this.reply(replyId, recipient, messaged, this.policy.replies.start);
        }

        return;
      }
      case 'help':
        // HELP is answered even when the number opted out of this sender (a carrier requirement).
        await this.ledger.exempt(recipient, [messaged, null], replyId);
        await this.reply(replyId, recipient, messaged, this.policy.replies.help);

        return;
    }
  }

  /** A provider refused a send because the recipient opted out with the carrier: record it here too. */
  private async onStatus(event: StatusChangedV1): Promise<void> {
    if (event.errorClass !== OPTED_OUT_CLASS || !event.recipient) {
      return;
    }
    const sender = this.policy.scope === 'account' ? null : (event.sender ?? null);
    const created = await this.ledger.optOut({
      number: e164(event.recipient),
      sender,
      source: 'provider',
      reason: `${event.provider ?? 'provider'} ${event.errorCode ?? 'opted out'}`,
    });
    if (created) {
      this.logger.log(`provider-reported opt-out recorded from ${event.provider ?? 'unknown provider'}`);
    }
  }

  private async reply(id: string, to: string, from: string, body: string): Promise<void> {
    if (body.trim().length === 0) {
      return;
    }
    // Intake refuses sms.send.v1 without an account. Inbound keywords are not per account yet: the
    // confirmation goes out in the default account until opt-outs carry the account of their number.
    const request: SendRequestedV1 = { id, accountId: DEFAULT_ACCOUNT_ID, to, from, body };
    await this.bus.publish([{ topic: TOPICS.send, key: id, value: request }]);
  }
}

/** Providers send E.164 with or without `+`; anything unparseable (a short code) is kept as given. */
function e164(number: string): string {
  const trimmed = number.trim();
  const parsed = parsePhone(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);

  return parsed.ok ? parsed.e164 : trimmed;
}
