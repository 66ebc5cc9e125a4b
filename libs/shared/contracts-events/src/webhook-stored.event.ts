import { IsBoolean, IsIn, IsISO8601, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * `sms.dlr.raw.v1` and `sms.inbound.raw.v1`: a provider webhook stored raw by dlr-ingest. It carries
 * the raw payload so dlr-processor parses without reading another service's tables; `webhookId`
 * points back at the stored row for replay.
 */
export class WebhookStoredV1 {
  @IsString()
  @MaxLength(64)
  webhookId!: string;

  @IsString()
  @MaxLength(64)
  provider!: string;

  @IsIn(['status', 'inbound'])
  kind!: 'status' | 'inbound';

  @IsString()
  @MaxLength(2048)
  url!: string;

  @IsString()
  @MaxLength(16)
  method!: string;

  @IsObject()
  headers!: Record<string, string>;

  @IsString()
  @MaxLength(65536)
  body!: string;

  @IsString()
  @MaxLength(255)
  contentType!: string;

  @IsISO8601()
  receivedAt!: string;

  /** True when an operator replayed the stored row (re-parsed with the current parser). */
  @IsOptional()
  @IsBoolean()
  replay?: boolean;
}

/** `sms.inbound.v1`: a parsed inbound (MO) message. Keyed by the sender's number. */
export class InboundReceivedV1 {
  @IsString()
  @MaxLength(64)
  webhookId!: string;

  @IsString()
  @MaxLength(64)
  provider!: string;

  @IsString()
  @MaxLength(128)
  providerMessageId!: string;

  @IsString()
  @MaxLength(32)
  from!: string;

  @IsString()
  @MaxLength(32)
  to!: string;

  @IsString()
  @MaxLength(6400)
  body!: string;

  @IsISO8601()
  receivedAt!: string;
}
