import type { InboundMessageEntity } from '../database/entities/inbound-message.entity';
import { KEYWORD_HANDLING } from './inbound-keywords';
import type { KeywordIntent } from '@sms/opt-out-registry';

/** The body of GET /v1/inbound/:id and one item of GET /v1/inbound (api.md "Inbound messages"). */
export interface InboundMessageView {
  readonly id: string;
  readonly direction: 'inbound';
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly provider: string;
  readonly providerMessageId: string;
  /** `STOP`, `STOPALL`, `START` or `HELP` when the body is an opt-out keyword (its family's name), else null. */
  readonly keyword: string | null;
  /** What the gateway did with the keyword (`opted_out`, `opted_out_every_account`, `opted_in`, `help_answered`). */
  readonly keywordHandling: string | null;
  readonly receivedAt: string;
  readonly createdAt: string;
}

/** A stored inbound message with its account, as the store hands it to in-process listeners. */
export interface StoredInboundMessage extends InboundMessageView {
  readonly accountId: string;
}

export function toInboundView(m: InboundMessageEntity): InboundMessageView {
  const keyword = m.keyword as KeywordIntent | null;

  return {
    id: m.id,
    direction: 'inbound',
    from: m.fromNumber,
    to: m.toNumber,
    body: m.body,
    provider: m.provider,
    providerMessageId: m.providerMessageId,
    keyword: keyword === null ? null : keyword.toUpperCase(),
    keywordHandling: keyword === null ? null : (KEYWORD_HANDLING[keyword] ?? null),
    receivedAt: m.receivedAt.toISOString(),
    createdAt: m.createdAt.toISOString(),
  };
}
