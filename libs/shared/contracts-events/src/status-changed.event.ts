import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  Min,
} from 'class-validator';
import { DEFAULT_ACCOUNT_ID } from './accounts';
import { MessageStatus, StatusEventKind, StatusEventSource } from './enums';
import { CALLBACK_FORMATS, type CallbackFormat } from './twilio-compat';

/**
 * `sms.status.v1`: something happened to a message. Intake applies it to the ledger through one state
 * machine; dlr-processor learns provider ids from it. Keyed by message id.
 */
export class StatusChangedV1 {
  /** Unique per event: consumers deduplicate on it. */
  @IsUUID()
  eventId!: string;

  @IsUUID()
  messageId!: string;

  /**
   * The message's account, where the producer knows it (intake's and the router's refusals, the
   * send-worker's results); downstream services (opt-out, limits) scope by it. Absent on records of
   * producers that do not know it (receipts) and on records from before the field: those decode as
   * DEFAULT_ACCOUNT_ID, so a consumer that needs the true account reads the message, not this field.
   */
  @IsOptional()
  @IsUUID()
  accountId?: string = DEFAULT_ACCOUNT_ID;

  @IsEnum(StatusEventKind)
  kind!: StatusEventKind;

  @IsEnum(StatusEventSource)
  source!: StatusEventSource;

  /** The attempt this event belongs to (send results); absent for receipts. */
  @IsOptional()
  @IsInt()
  @Min(1)
  attempt!: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  provider!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  providerMessageId!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  errorCode!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  errorMessage!: string | null;

  /** transient | permanent | opted_out | configuration, when the event is a failure. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  errorClass!: string | null;

  /** True when a failed send may still have reached the provider (see ProviderError.ambiguous). */
  @IsOptional()
  @IsBoolean()
  ambiguous!: boolean | null;

  /** Total cost of the message, decimal string, when known. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  cost!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  currency!: string | null;

  /**
   * How {@link cost} was found, on send results and priced receipts: false when the provider reported it
   * (Twilio `price`, Vonage `message-price`), true when it is the route's rate times the segments (an
   * estimate that a provider-reported price replaces later). Absent on records from before the field:
   * intake then takes a send result's cost as an estimate.
   */
  @IsOptional()
  @IsBoolean()
  costEstimated?: boolean | null;

  /** The route's price per segment behind an estimated {@link cost}, decimal string. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  unitPrice?: string | null;

  /** Route explanation (router) or the provider's own status word (receipts). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  detail!: string | null;

  /**
   * The message's recipient, set by the send-worker only on an `opted_out` failure so the opt-out
   * service can record a provider-reported opt-out without reading the ledger.
   */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  recipient?: string | null;

  /**
   * The sender number (or sender id) of the attempt: on the send-worker's `sent` (the ledger writes it,
   * `GET /v1/messages/:id` shows it as `from`) and on an `opted_out` failure (with {@link recipient}).
   */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  sender?: string | null;

  @IsISO8601()
  occurredAt!: string;

  /**
   * Ids of every part of a long message when the provider reports receipts per part (Vonage, SMPP):
   * dlr-processor correlates each part's receipt and rolls them up. Absent for single-part sends.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(255)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  partIds?: string[] | null;

  /**
   * Set by dlr-processor on a receipt failure another route could fix (error class transient, one
   * part, the provider said it was not delivered): intake re-sends once through another provider
   * instead of ending the message, when the message is still `sent` by that provider (ADR 0009).
   * Also set by the send-worker's reconciliation on the `unknown` (RECEIPT_TIMEOUT) of a message whose
   * provider confirmed, by its own id, that it holds the message without a final status: intake may then
   * re-send once elsewhere where the operator enabled it (docs/reconciliation.md, "Re-send on an overdue receipt").
   */
  @IsOptional()
  @IsBoolean()
  fallbackEligible?: boolean | null;

  /**
   * The destination country of the attempt: on send-worker results (from the dispatch), and on receipts
   * (dlr-processor copies it from the send it matched the receipt to), so the router counts route quality
   * per (provider, country) on whichever replica sees the receipt. Absent on receipts from before the field
   * (the router then matches them to a send it remembers, by message id).
   */
  @IsOptional()
  @IsString()
  @Length(2, 2)
  country?: string | null;

  /**
   * The destination network (MCC+MNC) when a lookup told it: route quality per (provider, network). Copied
   * onto receipts with {@link country}.
   */
  @IsOptional()
  @IsString()
  @MaxLength(6)
  network?: string | null;

  /**
   * Receipts and reconciliation results: when the provider accepted the attempt they report on (its `sent`
   * event's time), so the router measures the time to the receipt without having seen the send. Absent on
   * send results (their own time is the send's) and on records from before the field.
   */
  @IsOptional()
  @IsISO8601()
  sentAt?: string | null;

  /** How long the provider call took (send results), for the router's provider health. */
  @IsOptional()
  @IsInt()
  @Min(0)
  latencyMs?: number | null;

  /**
   * Receipts: the id of the raw webhook dlr-ingest stored (`WebhookStoredV1.webhookId`) the event was read
   * from, so a message's timeline can show the receipt as the provider sent it.
   */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  receiptId?: string | null;
}

/** The send-worker's error code for a message whose recipient opted out after it was queued. */
export const OPTED_OUT_BEFORE_SEND = 'RECIPIENT_OPTED_OUT';

/**
 * A send-worker failure made before any provider call (the recipient opted out while the message was
 * queued): it says nothing of the provider, so neither its health nor its route quality may count it.
 */
export function failedBeforeProviderCall(event: Pick<StatusChangedV1, 'source' | 'kind' | 'errorCode'>): boolean {
  return (
    event.source === StatusEventSource.SendWorker &&
    event.kind === StatusEventKind.Failed &&
    event.errorCode === OPTED_OUT_BEFORE_SEND
  );
}

/**
 * `sms.transition.v1`: a status change intake applied to the ledger, published (through intake's
 * outbox, in the same transaction as the change) only for messages with a callback URL. dlr-processor
 * turns it into a signed caller callback. Keyed by message id, so one message's changes stay in order.
 */
export class MessageTransitionV1 {
  /** The status event that caused the change: callbacks deduplicate on it. */
  @IsUUID()
  eventId!: string;

  @IsUUID()
  messageId!: string;

  /**
   * The message's account: a callback belongs to the message it reports on. Records from before the
   * field decode as DEFAULT_ACCOUNT_ID.
   */
  @IsOptional()
  @IsUUID()
  accountId: string = DEFAULT_ACCOUNT_ID;

  @IsIn(Object.values(MessageStatus))
  status!: MessageStatus;

  @IsIn(Object.values(MessageStatus))
  previousStatus!: MessageStatus;

  @IsString()
  @MaxLength(2048)
  callbackUrl!: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  clientReference!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  errorCode!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  errorMessage!: string | null;

  /** When the change happened (the event's time). */
  @IsISO8601()
  at!: string;

  /** The callback's format: absent or null is the gateway's signed JSON; `twilio` is Twilio's StatusCallback. */
  @IsOptional()
  @IsIn(CALLBACK_FORMATS)
  callbackFormat?: CallbackFormat | null;

  /** The recipient, set only for formats whose body names it (Twilio's `To`). */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  to?: string | null;

  /** The sender used (or asked for, before it is sent), set only for formats whose body names it (`From`). */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  from?: string | null;
}

/**
 * `sms.reconcile.v1`: intake asks the send-worker what became of a message still `sent` past its provider's
 * receipt deadline. The send-worker looks it up at the provider and answers on `sms.status.v1` (source
 * `reconcile`): the `sent` event again with the provider id (dlr-processor matches parked receipts by it)
 * and the final status found, or `unknown`. Keyed by message id.
 */
export class ReconcileRequestedV1 {
  @IsUUID()
  messageId!: string;

  /**
   * The message's account, passed on to the status events the lookup becomes (opt-out files a
   * provider-reported opt-out under it). Records from before the field decode as DEFAULT_ACCOUNT_ID.
   */
  @IsOptional()
  @IsUUID()
  accountId: string = DEFAULT_ACCOUNT_ID;

  @IsOptional()
  @IsInt()
  @Min(1)
  attempt!: number | null;

  @IsString()
  @MaxLength(64)
  provider!: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  providerMessageId!: string | null;

  @IsString()
  @MaxLength(32)
  to!: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  from!: string | null;

  /** When the provider accepted the message (the `sent` event's time). */
  @IsISO8601()
  sentAt!: string;

  /**
   * The message's destination country, passed on to the status events the lookup becomes (with
   * {@link sentAt}): the router counts the overdue receipt against the route. Absent on records from before.
   */
  @IsOptional()
  @IsString()
  @Length(2, 2)
  country?: string | null;

  @IsISO8601()
  requestedAt!: string;
}
