import { IsBoolean, IsEnum, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { StatusEventKind, StatusEventSource } from './enums';

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

  /** Route explanation (router) or the provider's own status word (receipts). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  detail!: string | null;

  @IsISO8601()
  occurredAt!: string;

  /** How long the provider call took (send results), for the router's provider health. */
  @IsOptional()
  @IsInt()
  @Min(0)
  latencyMs?: number | null;
}
