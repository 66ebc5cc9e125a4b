/**
 * The provider port: one small interface every upstream (Twilio, Vonage, AWS, Sinch, SMPP) implements.
 * Adapters are built once from typed config and hold no per-request state, so one instance serves
 * concurrent sends.
 */
export enum ProviderId {
  Twilio = 'twilio',
  Vonage = 'vonage',
  Aws = 'aws',
  Sinch = 'sinch',
  Smpp = 'smpp',
}

/** What the provider said about a message, mapped onto our canonical statuses (providers.md §0). */
export enum DeliveryStatus {
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Undelivered = 'undelivered',
  Failed = 'failed',
}

/** How a failure must be treated: drives retries, failover, opt-out entries and alerts. */
export enum ErrorClass {
  /** Retry with backoff, possibly through another provider. */
  Transient = 'transient',
  /** Do not retry: the message itself cannot be delivered. */
  Permanent = 'permanent',
  /** Do not retry, and add the recipient to the opt-out ledger. */
  OptedOut = 'opted_out',
  /** Our account or sender is misconfigured: page someone, do not retry. */
  Configuration = 'configuration',
}

export interface SendRequest {
  /** Our message id (UUID); passed where the provider accepts a client reference. */
  readonly messageId: string;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly encoding: 'GSM-7' | 'UCS-2';
  readonly segments: number;
  readonly validitySeconds?: number;
  /** Absolute URL the provider should post delivery receipts to. */
  readonly statusCallbackUrl?: string;
}

export interface SendResult {
  /** The provider's id for the message (Twilio SID, Vonage message-id of part 1, ...). */
  readonly providerMessageId: string;
  /** Ids of every part when the provider reports per part (Vonage, SMPP). */
  readonly partIds?: readonly string[];
  readonly status: DeliveryStatus;
  /** Provider-reported price, decimal string, when known at send time. */
  readonly cost?: string;
  readonly currency?: string;
}

/** A failed send, already classified. Adapters throw only this from `send`. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly errorClass: ErrorClass,
    /** The provider's own error code (e.g. Twilio 21610), or a transport code such as `TIMEOUT`. */
    readonly code: string,
    message: string,
    /**
     * True when the request may have reached the provider (timeout after sending, connection reset
     * mid-response): the message may be delivered and must be reconciled before any resend elsewhere.
     */
    readonly ambiguous = false,
  ) {
    super(message);
  }
}

/** A raw webhook as received: everything signature checks and parsers need. */
export interface RawWebhook {
  /** Absolute URL the provider called, exactly as configured with it (signatures cover it). */
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Body exactly as received (form-encoded, JSON or XML text). */
  readonly body: string;
  readonly contentType: string;
}

export interface DeliveryReport {
  readonly providerMessageId: string;
  readonly status: DeliveryStatus;
  /** Provider's own status word (kept for the events history). */
  readonly providerStatus: string;
  readonly errorCode?: string;
  readonly errorClass?: ErrorClass;
  readonly occurredAt?: Date;
  /**
   * What the provider says the message cost, where its receipt carries a price (Vonage `price`, AWS
   * `totalMessagePrice` + `totalCarrierFee`): a non-negative decimal string and its ISO 4217 currency. It
   * replaces the attempt's estimate in the cost ledger (docs/billing.md).
   */
  readonly price?: { readonly amount: string; readonly currency: string };
  /** The recipient's network (MCC+MNC digits) where the receipt names it (Vonage `network-code`, AWS `mcc`/`mnc`). */
  readonly network?: string;
}

const DECIMAL = /^\d{1,12}(\.\d{1,12})?$/;
const MCC_MNC = /^\d{5,6}$/;

/** A receipt's price field as {@link DeliveryReport.price}: undefined unless a plain non-negative decimal. */
export function receiptPrice(amount: unknown, currency: string): DeliveryReport['price'] {
  return typeof amount === 'string' && DECIMAL.test(amount.trim()) ? { amount: amount.trim(), currency } : undefined;
}

/** A receipt's MCC+MNC as {@link DeliveryReport.network}: undefined unless 5 or 6 digits. */
export function receiptNetwork(value: unknown): string | undefined {
  return typeof value === 'string' && MCC_MNC.test(value) ? value : undefined;
}

export interface InboundMessage {
  readonly providerMessageId: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly receivedAt?: Date;
}

export interface SmsProvider {
  readonly id: ProviderId;
  /** Sends one message; throws {@link ProviderError} on failure, already classified. */
  send(request: SendRequest): Promise<SendResult>;
  /**
   * Segments this adapter can have in flight at once, where it has a window of its own (SMPP: binds ×
   * window, one submit_sm per segment). Absent: no limit beyond the caller's (HTTP APIs take concurrent
   * requests). The send-worker queues sends above it rather than letting them wait in the adapter.
   */
  readonly maxInFlightSegments?: number;
  /** Classifies one of the provider's error codes (synchronous API error or DLR error code). */
  classifyError(code: string, httpStatus?: number): ErrorClass;
  /**
   * Optional network work verification needs first, e.g. fetching (and caching) the AWS SNS signing
   * certificate the payload names. Call it before {@link verifyWebhook}. Never throws.
   */
  prepareWebhook?(webhook: RawWebhook): Promise<void>;
  /**
   * True when the webhook carries a signature at all, valid or not (a `sig` parameter, a `Signature` field):
   * dlr-ingest answers an unsigned request 401 and a forged one 403. Without it, a header whose name
   * contains `signature` (or `Authorization`) counts. Never throws.
   */
  carriesSignature?(webhook: RawWebhook): boolean;
  /** True when the webhook carries a valid signature from this provider. Never throws. */
  verifyWebhook(webhook: RawWebhook): boolean;
  /**
   * When the provider signed the webhook, read from a field its signature covers (Vonage's `timestamp`
   * param, Sinch's signature-timestamp header, SNS's `Timestamp`), so that dlr-ingest can refuse a replay of an
   * old signed request. Absent, or undefined for a webhook without one: that provider signs no time (Twilio).
   * Meaningful only once {@link verifyWebhook} passed. Never throws.
   */
  webhookSignedAt?(webhook: RawWebhook): Date | undefined;
  /**
   * Optional handshake for a verified webhook that asks for one (AWS SNS SubscriptionConfirmation: GET its
   * SubscribeURL). True when it was such a request and it was answered. Never throws.
   */
  acknowledgeWebhook?(webhook: RawWebhook): Promise<boolean>;
  /** Parses a delivery receipt webhook; returns an empty list for a payload it cannot read. Never throws. */
  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[];
  /** Parses an inbound (MO) message webhook; null when the payload is not one. Never throws. */
  parseInbound(webhook: RawWebhook): InboundMessage | null;
  /**
   * Optional: the canonical form of this provider's message id, applied to the id from the send result
   * and to the id in every receipt before they are matched (e.g. SMPP SMSCs that answer submit_sm in
   * hex and report in decimal: see {@link canonicalMessageId}). Without it, {@link canonicalMessageId}
   * with its defaults is used. Must be pure and never throw.
   */
  normaliseMessageId?(id: string): string;
  /**
   * Asks the provider what became of one message (reconciliation of messages without a final receipt and of
   * ambiguous sends before any resend). Every adapter implements it; one whose provider offers no lookup
   * answers `unknown`. Never throws.
   */
  lookup(request: LookupRequest): Promise<LookupResult>;
}

export interface MessageIdFormat {
  /** Ids are case-insensitive (hex strings, Twilio SIDs): compare lower-cased. Default true. */
  readonly caseInsensitive?: boolean;
  /** How to read an all-hex id: 'decimal' converts hex ids to decimal so both forms match (SMPP). */
  readonly hex?: 'keep' | 'decimal';
}

/**
 * A provider message id in one canonical form so the id from the send result and the id in a receipt
 * match whatever format each uses: trimmed, lower-cased (unless case matters), all-digit ids without
 * leading zeros, and (for SMPP-style ids, `hex: 'decimal'`) hex ids converted to decimal.
 */
export function canonicalMessageId(id: string, format: MessageIdFormat = {}): string {
  let value = id.trim();
  if (format.caseInsensitive ?? true) {
    value = value.toLowerCase();
  }
  if (format.hex === 'decimal' && /^(0x)?[0-9a-f]+$/i.test(value) && /[a-f]|^0x/i.test(value) && value.length <= 32) {
    return BigInt(`0x${value.replace(/^0x/i, '')}`).toString(10);
  }
  if (/^\d+$/.test(value) && value.length <= 40) {
    return BigInt(value).toString(10);
  }

  return value;
}

/**
 * What reconciliation asks a provider about one message: by the provider's id when the send result named
 * it, else (an ambiguous send: timed out, or left `sending` by a dead worker) by our message id where the
 * provider keeps a client reference, or by recipient, sender, body and a time window.
 */
export interface LookupRequest {
  /** Our message id (UUID): the client reference where the provider keeps one. */
  readonly messageId: string;
  /** The provider's id, when a send result or receipt named it. */
  readonly providerMessageId?: string | null;
  readonly to: string;
  readonly from: string;
  /** The text sent; narrows a search by recipient and sender to this message. */
  readonly body?: string;
  /** The earliest time the provider can have created the message (the attempt's start). */
  readonly notBefore: Date;
  /** The latest time it can have been created (e.g. the attempt's end, or now). */
  readonly notAfter: Date;
}

/** The provider's answer to a {@link LookupRequest}. */
export type LookupResult =
  /** The provider has the message: its id and what it says of it now (final or not). */
  | {
      readonly outcome: 'found';
      readonly providerMessageId: string;
      readonly partIds?: readonly string[];
      readonly status: DeliveryStatus;
      readonly providerStatus: string;
      readonly errorCode?: string;
      readonly errorClass?: ErrorClass;
    }
  /** The provider answered and has no such message: it was never created (safe to resend). */
  | { readonly outcome: 'not_found' }
  /**
   * The provider could not be asked, or its answer does not settle the question (no lookup API, a lookup
   * that needs an id we do not have, a failed request). Never treat this as `not_found`.
   */
  | { readonly outcome: 'unknown'; readonly reason: string };

/**
 * Optional part of {@link SmsProvider}: asks the provider what became of one message. Never throws: a failed
 * request is `unknown`.
 */
export interface MessageLookup {
  lookup(request: LookupRequest): Promise<LookupResult>;
}

/** True for the statuses after which a provider reports nothing more (delivered, undelivered, failed). */
export function isFinalDeliveryStatus(status: DeliveryStatus): boolean {
  return (
    status === DeliveryStatus.Delivered || status === DeliveryStatus.Undelivered || status === DeliveryStatus.Failed
  );
}
