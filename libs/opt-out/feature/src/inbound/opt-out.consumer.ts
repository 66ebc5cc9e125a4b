import { Logger } from '@nestjs/common';
import { NonRetriableError, type Bus, type ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  DispatchRequestedV1,
  EVERY_ACCOUNT,
  InboundReceivedV1,
  type SendRequestedV1,
  STATUS_ERROR_CLASS_HEADER,
  StatusChangedV1,
  TOPICS,
  DEFAULT_ACCOUNT_ID,
} from '@sms/contracts';
import { parsePhone } from '@sms/phone';
import { v7 as uuidv7 } from 'uuid';
import type { KeywordsGroup, OptOutGroup } from '@sms/platform';
import type { MaskDirectory } from '@sms/mask-directory';
import type { RecentSenders } from '../accounts/recent-senders';
import { classifyKeyword, keywordSet, type KeywordSet } from '@sms/opt-out-registry';
import type { OptOutLedger } from '../ledger/opt-out.ledger';
import { type OptOutDefaults, type OptOutSettingsStore, renderReply } from '../settings/opt-out-settings';

export interface OptOutPolicy {
  readonly keywords: KeywordSet;
  /** Scope and reply texts of accounts that set none of their own. */
  readonly defaults: OptOutDefaults;
}

/** The policy a deployment's OPT_OUT_* settings describe. */
export const optOutPolicyOf = (optOut: OptOutGroup, keywords: KeywordsGroup): OptOutPolicy => ({
  keywords: keywordSet(keywords.extraStopWords, keywords.extraStartWords),
  defaults: {
    scope: optOut.scope,
    stopReply: optOut.stopReply,
    stopSenderReply: optOut.stopSenderReply,
    stopAllReply: optOut.stopAllReply,
    startReply: optOut.startReply,
    helpReply: optOut.helpReply,
  },
});

const OPTED_OUT_CLASS = 'opted_out';
/** Replies sent on behalf of no account, remembered so their dispatches do not attribute the pair. */
const MAX_UNATTRIBUTED_REPLIES = 10_000;

/**
 * Records opt-out's group passes over unparsed: status events whose error-class header says they are no
 * provider-reported opt-out (on `sms.status.v1`, read only while upgrading: ADR 0027). A record without the
 * header (inbound messages, dispatches, an older producer's status) is parsed.
 */
export const cannotReportOptOut = (headers: Readonly<Record<string, string>>): boolean => {
  const errorClass = headers[STATUS_ERROR_CLASS_HEADER];

  return errorClass !== undefined && errorClass !== OPTED_OUT_CLASS;
};

/** How far one keyword or provider report reaches: an account (or every account) and a sender (or all). */
interface Reach {
  readonly accountId: string;
  readonly sender: string | null;
}

/**
 * Turns inbound keywords and provider-reported opt-outs into ledger changes, and answers each change
 * with one confirmation from the number that was messaged (through `sms.send.v1`, so the reply takes
 * the normal path: routing, rate limits, the ledger).
 *
 * A STOP revokes consent for the account that messaged the recipient (carriers and the FCC read it so),
 * found through the (sender, recipient) → account index fed from `sms.dispatch.v1`. When no account can
 * be told, it blocks every account: wrongly refusing a wanted message is recoverable (START), sending
 * one the recipient refused is not.
 */
export class OptOutConsumer {
  private readonly logger = new Logger('opt-out');
  /**
   * Ids of replies to keywords no account could be found for. Such a reply is written under the default
   * account, and its dispatch must not make the default account the one that "last messaged" the
   * recipient: a later STOP would then reach the default account instead of every account. Kept in this
   * process (the one that sees the dispatch when a single opt-out instance runs, and in the embedded mode).
   */
  private readonly unattributedReplies = new Set<string>();

  constructor(
    private readonly ledger: OptOutLedger,
    private readonly bus: Bus,
    private readonly policy: OptOutPolicy,
    private readonly settings: OptOutSettingsStore,
    private readonly recent: RecentSenders,
    private readonly masks: Pick<MaskDirectory, 'accountOfSession'>,
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    if (record.topic === TOPICS.inbound) {
      await this.onInbound(decodeEvent(InboundReceivedV1, record.value));
    } else if (record.topic === TOPICS.optoutReported || record.topic === TOPICS.status) {
      // sms.status.v1 only while upgrading (ADR 0027), where nearly every status event is not an opt-out:
      // skip those before paying for full validation.
      if ((record.value as { errorClass?: unknown } | null)?.errorClass === OPTED_OUT_CLASS) {
        await this.onStatus(decodeEvent(StatusChangedV1, record.value));
      }
    } else if (record.topic === TOPICS.dispatch) {
      const dispatch = decodeEvent(DispatchRequestedV1, record.value);
      // Numbers on a dispatch are E.164 already (intake and router normalised them); an alphanumeric
      // sender cannot be texted back, so it attributes nothing.
      if (!dispatch.from.startsWith('+') || this.unattributedReplies.has(dispatch.messageId)) {
        return;
      }
      await this.recent.record(
        dispatch.from,
        dispatch.to,
        dispatch.accountId ?? DEFAULT_ACCOUNT_ID,
        new Date(dispatch.routedAt),
      );
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
    const via = `via ${inbound.provider}`;
    if (intent === 'stopall') {
      await this.stop(
        { accountId: EVERY_ACCOUNT, sender: null },
        recipient,
        messaged,
        `STOPALL keyword ${via}`,
        this.policy.defaults.stopAllReply,
        null,
      );

      return;
    }
    // A participant writing to their masked number answers the session's account (masking does not
    // forward keywords); otherwise the account that last messaged the recipient from that number.
    const accountId =
      this.masks.accountOfSession(messaged, recipient) ?? (await this.recent.accountOf(messaged, recipient));
    await this.onKeyword(intent, accountId, recipient, messaged, via);
  }

  /** STOP, START or HELP from `recipient` to `messaged`, on behalf of `accountId` (null: no account can be told). */
  private async onKeyword(
    intent: 'stop' | 'start' | 'help',
    accountId: string | null,
    recipient: string,
    messaged: string,
    via: string,
  ): Promise<void> {
    const settings = accountId === null ? null : await this.settings.of(accountId);
    const scope = settings?.scope ?? this.policy.defaults.scope;
    const name = settings?.displayName ?? null;
    switch (intent) {
      case 'stop': {
        const reach: Reach = { accountId: accountId ?? EVERY_ACCOUNT, sender: scope === 'sender' ? messaged : null };
        const reason =
          accountId === null
            ? `STOP keyword ${via}; no account known for the number texted: every account blocked`
            : `STOP keyword ${via}`;
        const d = this.policy.defaults;
        const template =
          scope === 'sender' ? (settings?.stopSenderReply ?? d.stopSenderReply) : (settings?.stopReply ?? d.stopReply);
        await this.stop(reach, recipient, messaged, reason, renderReply(template, name), accountId);

        return;
      }
      case 'start': {
        // START undoes within the reach of what it reverses: the account's entries blocking the number
        // texted (its every-sender entry and that sender's), and every-account ones (STOPALL, or a STOP
        // that could not be attributed).
        const replyId = uuidv7();
        const removed = await this.ledger.optIn(
          { number: recipient, source: 'keyword', reason: `START keyword ${via}`, exemptMessageId: replyId },
          { accountIds: accountId === null ? [EVERY_ACCOUNT] : [accountId, EVERY_ACCOUNT], senders: [messaged, null] },
        );
        this.logger.log(`re-subscribed by keyword: removed=${removed}`);
        if (removed > 0) {
          const template = settings?.startReply ?? this.policy.defaults.startReply;
          await this.reply(replyId, recipient, messaged, renderReply(template, name), accountId);
        }

        return;
      }
      case 'help': {
        // HELP is answered even when the number opted out of this sender (a carrier requirement).
        const replyId = uuidv7();
        await this.ledger.exempt(
          recipient,
          { accountIds: accountId === null ? [EVERY_ACCOUNT] : [accountId, EVERY_ACCOUNT], senders: [messaged, null] },
          replyId,
        );
        const template = settings?.helpReply ?? this.policy.defaults.helpReply;
        await this.reply(replyId, recipient, messaged, renderReply(template, name), accountId);

        return;
      }
    }
  }

  private async stop(
    reach: Reach,
    recipient: string,
    messaged: string,
    reason: string,
    reply: string,
    replyAccountId: string | null,
  ): Promise<void> {
    const replyId = uuidv7();
    const request = { accountId: reach.accountId, number: recipient, sender: reach.sender };
    // Already blocked by a wider entry (e.g. a STOPALL): nothing changes, so nothing is confirmed again.
    if (await this.ledger.coveredByAnother(request)) {
      this.logger.log('opt-out by keyword: already covered by a wider entry');

      return;
    }
    const created = await this.ledger.optOut({ ...request, source: 'keyword', reason, exemptMessageId: replyId });
    this.logger.log(
      `opt-out by keyword (${reach.accountId === EVERY_ACCOUNT ? 'every account' : 'account'}, ${reach.sender ? 'sender' : 'every sender'}): new=${created}`,
    );
    if (created) {
      await this.reply(replyId, recipient, messaged, reply, replyAccountId);
    }
  }

  /**
   * A provider refused a send because the recipient opted out with the carrier: record it here too,
   * for the message's account (the event's, else the index's; neither: every account) and with that
   * account's scope.
   */
  private async onStatus(event: StatusChangedV1): Promise<void> {
    if (event.errorClass !== OPTED_OUT_CLASS || !event.recipient) {
      return;
    }
    const recipient = e164(event.recipient);
    const sender = event.sender ? e164(event.sender) : null;
    const accountId =
      event.accountId ?? (sender === null ? null : await this.recent.accountOf(sender, recipient)) ?? null;
    const scope = accountId === null ? this.policy.defaults.scope : (await this.settings.of(accountId)).scope;
    const created = await this.ledger.optOut({
      accountId: accountId ?? EVERY_ACCOUNT,
      number: recipient,
      sender: scope === 'sender' ? sender : null,
      source: 'provider',
      reason: `${event.provider ?? 'provider'} ${event.errorCode ?? 'opted out'}${accountId === null ? '; account unknown: every account blocked' : ''}`,
    });
    if (created) {
      this.logger.log({
        msg: `provider-reported opt-out recorded from ${event.provider ?? 'unknown provider'}`,
        messageId: event.messageId,
      });
    }
  }

  private async reply(id: string, to: string, from: string, body: string, accountId: string | null): Promise<void> {
    if (body.trim().length === 0) {
      return;
    }
    if (accountId === null) {
      this.unattributedReplies.add(id);
      if (this.unattributedReplies.size > MAX_UNATTRIBUTED_REPLIES) {
        this.unattributedReplies.delete(this.unattributedReplies.values().next().value as string);
      }
    }
    // Intake refuses sms.send.v1 without an account: a reply to a STOP no account could be found for goes
    // out in the default account (and is left out of the recent-senders index above).
    const request: SendRequestedV1 = { id, to, from, body, accountId: accountId ?? DEFAULT_ACCOUNT_ID };
    await this.bus.publish([{ topic: TOPICS.send, key: id, value: request }]);
  }
}

/** Providers send E.164 with or without `+`; anything unparseable (a short code) is kept as given. */
function e164(number: string): string {
  const trimmed = number.trim();
  const parsed = parsePhone(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);

  return parsed.ok ? parsed.e164 : trimmed;
}
