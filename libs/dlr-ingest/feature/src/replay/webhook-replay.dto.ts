import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of `POST /v1/admin/webhooks/replay`: `{ ids }` or `{ provider, from, to }`; the document only. */
export class WebhookReplayRequestDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: 1000,
    description: 'Stored webhook ids; not with provider, from and to',
  })
  ids?: string[];
  @ApiPropertyOptional({ example: 'twilio', description: 'With from and to, instead of ids' }) provider?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after (ISO 8601 with a zone)' })
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Received before; after from' }) to?: string;
}

export class WebhookReplayResultDto {
  @ApiProperty({ type: 'integer', description: 'Stored receipts put back through the parsers', example: 12 })
  replayed!: number;
  @ApiProperty({ description: 'More receipts matched than one call replays: call again' }) truncated!: boolean;
}
