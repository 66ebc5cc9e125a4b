import { IsEnum, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { MessageClass } from './enums';

/**
 * `sms.send.v1`: a send request from an internal producer. Same fields as `POST /v1/messages` plus
 * `id`, which the producer chooses and which is the idempotency key. Intake applies the same rules as
 * the REST API; this class only checks the shape.
 */
export class SendRequestedV1 {
  @IsUUID()
  id!: string;

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

  /** The account the message belongs to; absent: DEFAULT_ACCOUNT_ID. */
  @IsOptional()
  @IsString()
  @MaxLength(36)
  accountId?: string | null;
}
