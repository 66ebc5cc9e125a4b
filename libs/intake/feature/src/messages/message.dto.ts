import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { MessageStatus } from '@sms/contracts';

/**
 * OpenAPI shapes of the messages API (api.md). Validation itself lives in message-request.validator.ts,
 * which gives each broken rule its own error code.
 */
export class SendMessageDto {
  @ApiProperty({ example: '+447400123456', description: 'E.164, or national format with `country`' })
  to!: string;

  @ApiProperty({ example: 'Your code is 123456', minLength: 1, maxLength: 1600 })
  body!: string;

  @ApiPropertyOptional({ example: '+447400900999', description: 'Sender number or alphanumeric sender ID (<= 11)' })
  from?: string;

  @ApiPropertyOptional({ example: 'GB', description: 'ISO 3166-1 alpha-2 hint for a national-format `to`' })
  country?: string;

  @ApiPropertyOptional({ enum: ['transactional', 'marketing'], default: 'transactional' })
  messageClass?: string;

  @ApiPropertyOptional({ example: 'https://app.example/sms-status' })
  callbackUrl?: string;

  @ApiPropertyOptional({ example: 'order-42', maxLength: 128 })
  clientReference?: string;

  @ApiPropertyOptional({ example: 3600, minimum: 60, maximum: 259200 })
  validitySeconds?: number;

  @ApiPropertyOptional({
    description:
      "Replace GSM-7 look-alikes (curly quotes, dashes, ...) when they alone force UCS-2; default: the account's",
  })
  smartEncoding?: boolean;

  @ApiPropertyOptional({
    example: '2026-03-01T09:30:00Z',
    format: 'date-time',
    description: 'RFC 3339, up to 35 days ahead: held `scheduled` until then',
  })
  sendAt?: string;
}

export class AcceptedMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['queued', 'scheduled'] }) status!: string;
  @ApiProperty({ example: '+447400123456' }) to!: string;
  @ApiProperty({ nullable: true, type: String }) from!: string | null;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ enum: ['GSM-7', 'UCS-2'] }) encoding!: string;
  @ApiProperty({ example: 1 }) segments!: number;
  @ApiProperty({ description: 'The body as sent (after smart encoding)' }) body!: string;
  @ApiProperty({ example: 0, description: 'Segments smart encoding saved' }) segmentsSaved!: number;
  @ApiProperty({ nullable: true, type: String }) clientReference!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Only on a scheduled message' }) sendAt?: string;
}

export class MessageEventDto {
  @ApiProperty({ example: 'delivered' }) status!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ example: 'dlr' }) source?: string;
  @ApiPropertyOptional({ example: 'twilio' }) provider?: string;
  @ApiPropertyOptional() attempt?: number;
  @ApiPropertyOptional() errorCode?: string;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional({ description: 'false when a late or duplicate report did not change the message' })
  applied?: boolean;
}

/** One provider attempt's charge (billing/charge-views.ts ChargeView, docs/billing.md). */
export class ChargeDto {
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ nullable: true, type: String, example: '+14155550100' }) sender!: string | null;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ nullable: true, type: String, description: 'MCC/MNC, when the route knew it' }) network!:
    string | null;
  @ApiProperty({ example: 2 }) segments!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '0.0079',
    description: 'Per segment; null when a provider priced the whole message',
  })
  unitPrice!: string | null;
  @ApiProperty({ example: '0.0158', description: 'Decimal string, exact' }) amount!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ enum: ['provider', 'rate'], description: "provider: the provider's own price; rate: the route's" })
  source!: string;
  @ApiProperty({ description: 'false: an estimate that a provider-reported price may still replace' })
  final!: boolean;
  @ApiProperty({ format: 'date-time' }) chargedAt!: string;
}

/** A message's cost in one currency. */
export class CostDto {
  @ApiProperty({ example: '0.0158', description: 'Decimal string, exact' }) total!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

/** GET /v1/messages/{id} (message.views.ts MessageView): the body and segmentsSaved are shown only at acceptance. */
export class MessageDto extends OmitType(AcceptedMessageDto, ['body', 'segmentsSaved', 'sendAt'] as const) {
  @ApiProperty({ enum: Object.values(MessageStatus) }) declare status: string;
  @ApiProperty({ enum: ['transactional', 'marketing'] }) messageClass!: string;
  @ApiProperty({ nullable: true, type: String, example: 'twilio' }) provider!: string | null;
  @ApiProperty({ nullable: true, type: String }) providerMessageId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '0.0400',
    description: "The sum of the message's charges (the last attempt's where they are in several currencies)",
  })
  cost!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'USD' }) currency!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) nextRetryAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) routeReason!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Null for a message sent at once' })
  sendAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
  @ApiProperty({ type: [MessageEventDto] }) events!: MessageEventDto[];
  @ApiProperty({ type: [ChargeDto], description: 'What each provider attempt cost, in attempt order' })
  charges!: ChargeDto[];
  @ApiProperty({ type: [CostDto], description: 'The sum of the charges per currency' }) costs!: CostDto[];
}
