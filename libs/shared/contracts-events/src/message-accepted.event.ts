import {
  IsArray,
  IsEnum,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DEFAULT_ACCOUNT_ID } from './accounts';
import { Encoding, MessageClass } from './enums';

/** `sms.accepted.v1`: a ledger message that needs a route, for its first attempt or a retry. */
export class MessageAcceptedV1 {
  @IsUUID()
  messageId!: string;

  /**
   * The account the message belongs to. Records published before the field existed decode as
   * DEFAULT_ACCOUNT_ID (the account every earlier message was migrated to).
   */
  @IsOptional()
  @IsUUID()
  accountId: string = DEFAULT_ACCOUNT_ID;

  /** 1 for the first try; each retry publishes the next attempt number. */
  @IsInt()
  @Min(1)
  attempt!: number;

  @IsString()
  @MaxLength(16)
  to!: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  from!: string | null;

  @IsString()
  @Length(2, 2)
  country!: string;

  @IsString()
  @MaxLength(6400)
  body!: string;

  @IsEnum(Encoding)
  encoding!: Encoding;

  @IsInt()
  @Min(1)
  segments!: number;

  @IsEnum(MessageClass)
  messageClass!: MessageClass;

  @IsOptional()
  @IsInt()
  validitySeconds!: number | null;

  /**
   * When the message stops being worth sending: its validity counted from its `sendAt` (or acceptance).
   * Past it, no one sends it; it ends `expired`. Absent or null: no validity, no deadline.
   */
  @IsOptional()
  @IsISO8601()
  expiresAt?: string | null;

  /** Providers that failed earlier attempts with a transient error: the router prefers others. */
  @IsArray()
  @IsString({ each: true })
  avoidProviders!: string[];

  /**
   * Provider that must be used: set when an earlier attempt may already have reached it (an
   * ambiguous timeout), so a resend elsewhere could deliver twice.
   */
  @IsOptional()
  @IsString()
  pinProvider!: string | null;

  /**
   * Set on the one re-send a receipt's fixable failure earned (the DLR fallback): the receipt's error code.
   * The router must then use a provider outside `avoidProviders`; when none can take the message, the
   * receipt's failure stands and the message ends `undelivered` with this code (a fallback through the
   * provider that just failed would be a plain retry, not a fallback).
   */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  fallbackOfError?: string | null;

  @IsISO8601()
  acceptedAt!: string;
}

/** `sms.dispatch.v1`: a routed message for the send-worker. Keyed by sender number. */
export class DispatchRequestedV1 {
  @IsUUID()
  messageId!: string;

  /**
   * The account the message belongs to (the router passes on the accepted record's). Records published before the field existed decode as
   * DEFAULT_ACCOUNT_ID (the account every earlier message was migrated to).
   */
  @IsOptional()
  @IsUUID()
  accountId: string = DEFAULT_ACCOUNT_ID;

  @IsInt()
  @Min(1)
  @Max(100)
  attempt!: number;

  /** Provider account id (row of `sms_providers`), e.g. `twilio`. */
  @IsString()
  @MaxLength(64)
  provider!: string;

  @IsString()
  @MaxLength(16)
  from!: string;

  @IsString()
  @MaxLength(16)
  to!: string;

  @IsString()
  @MaxLength(6400)
  body!: string;

  @IsEnum(Encoding)
  encoding!: Encoding;

  @IsInt()
  @Min(1)
  segments!: number;

  @IsOptional()
  @IsInt()
  validitySeconds!: number | null;

  /**
   * When the message stops being worth sending: its validity counted from its `sendAt` (or acceptance).
   * Past it, no one sends it; it ends `expired`. Absent or null: no validity, no deadline.
   */
  @IsOptional()
  @IsISO8601()
  expiresAt?: string | null;

  /** Price per segment for this destination, decimal string. */
  @IsOptional()
  @IsString()
  price!: string | null;

  @IsOptional()
  @IsString()
  currency!: string | null;

  /** Why the router chose this route, for the ledger. */
  @IsString()
  @MaxLength(512)
  routeReason!: string;

  /**
   * The destination country the route was chosen for: the send-worker copies it onto its send results so
   * the router can keep quality per (provider, country). Absent on records from before the field.
   */
  @IsOptional()
  @IsString()
  @Length(2, 2)
  country?: string | null;

  /**
   * The destination's mobile network (MCC+MNC, such as `23430`) when a lookup placed the number: the
   * send-worker copies it onto its send results so the router can keep quality per network. Absent or
   * null when not known (and on records from before the field).
   */
  @IsOptional()
  @IsString()
  @Length(5, 6)
  network?: string | null;

  @IsISO8601()
  routedAt!: string;

  /**
   * Not before this instant: the sender number's rate limit (segments per second) is booked up to
   * it. Absent or past: send now. The send-worker waits rather than dropping or refusing.
   */
  @IsOptional()
  @IsISO8601()
  sendAt?: string | null;
}
