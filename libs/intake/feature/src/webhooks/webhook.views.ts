import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from './webhook-input';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/sms', maxLength: 2048 })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['message.status', 'message.inbound'] })
  events!: string[];

  @ApiPropertyOptional({
    minLength: MIN_SECRET_LENGTH,
    maxLength: MAX_SECRET_LENGTH,
    description: 'Signing secret (printable ASCII); generated when left out. Shown once.',
  })
  secret?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/sms-v2', maxLength: 2048 })
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events?: string[];
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events!: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class WebhookWithSecretResponse extends WebhookResponse {
  @ApiProperty({ description: 'The signing secret, shown only in this answer' })
  secret!: string;
}

export class WebhookListResponse {
  @ApiProperty({ type: [WebhookResponse] })
  data!: WebhookResponse[];
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  subscriptionId!: string;

  @ApiProperty({ format: 'uuid', description: 'The event id (the same in every retry and replay)' })
  eventId!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  type!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'refused', 'expired'] })
  state!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: Number, nullable: true })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  settledAt!: string | null;

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '{at, outcome, statusCode?, error?}' })
  attemptLog!: unknown[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event as signed and sent: {id, type, createdAt, data}',
  })
  event!: unknown;
}

export class WebhookDeliveryListResponse {
  @ApiProperty({ type: [WebhookDeliveryResponse] })
  data!: WebhookDeliveryResponse[];
}
