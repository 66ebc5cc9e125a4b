import { IsEnum, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { MessageClass } from './enums';

/**
 * `sms.send.v1`: a send request from an internal producer. Same fields as `POST /v1/messages` plus
 * `id`, which the producer chooses and which is the idempotency key, and `accountId`, the account the
 * message belongs to. Intake applies the same rules as the REST API; this class only checks the shape.
 */
export class SendRequestedV1 {
  @IsUUID()
  id!: string;

  /**
   * The account the message belongs to (the account of the message or session that caused it, or
   * DEFAULT_ACCOUNT_ID). Required: intake refuses a record without one (ACCOUNT_REQUIRED) or with an
   * unknown one (ACCOUNT_NOT_FOUND) on `sms.status.v1`. Optional here only so that refusal, rather than a
   * dead letter, is what its producer sees.
   */
  @IsOptional()
  @IsUUID()
  accountId?: string;

  @IsString()
  @MaxLength(64)
  to!: string;

  @IsString()
  @MaxLength(6400)
  body!: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  from?: string | null;

  @IsOptional()
  @IsString()
  @Length(2, 2)
  country?: string | null;

  @IsOptional()
  @IsEnum(MessageClass)
  messageClass?: MessageClass;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  callbackUrl?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  clientReference?: string | null;

  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(259200)
  validitySeconds?: number | null;

  /** RFC 3339, up to 35 days ahead: the message is held `scheduled` until then (docs/scheduling.md). */
  @IsOptional()
  @IsISO8601()
  sendAt?: string | null;
}
