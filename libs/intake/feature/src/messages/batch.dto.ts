import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { AcceptedMessageDto, SendMessageDto } from './message.dto';

/** OpenAPI shapes of `POST /v1/messages/batch` (api.md "Batches"); batch-request.ts validates. */
export class BatchItemDto extends SendMessageDto {
  @ApiPropertyOptional({
    description: "This message's Idempotency-Key (the single send's rules)",
    example: 'order-42-sms',
  })
  idempotencyKey?: string;
}

/** What `defaults` may set: every send field but the per-message ones (batch-request.ts PER_ITEM_ONLY). */
export class BatchDefaultsDto extends OmitType(SendMessageDto, ['to', 'body', 'clientReference'] as const) {}

export class SendBatchDto {
  @ApiProperty({ type: [BatchItemDto], minItems: 1, maxItems: 1000 })
  messages!: BatchItemDto[];

  @ApiPropertyOptional({
    type: BatchDefaultsDto,
    description: 'Fields every message gets unless it sets them itself (not to, body, clientReference, idempotencyKey)',
    example: { from: 'Acme', messageClass: 'transactional' },
  })
  defaults?: BatchDefaultsDto;
}

/** The `error` of a refused item: the one a single send with the same body gets (api.md "Conventions"). */
export class BatchItemErrorDto {
  @ApiProperty({ pattern: '^[A-Z][A-Z0-9_]*$', example: 'INVALID_PHONE_NUMBER' }) code!: string;
  @ApiProperty({ example: 'to is not a valid phone number' }) message!: string;
  @ApiPropertyOptional({ description: 'The input at fault, when there is one', example: 'to' }) field?: string;
}

export class BatchResultDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ example: 202, description: 'What a single POST with this body would have answered' })
  status!: number;
  @ApiPropertyOptional({ type: AcceptedMessageDto, description: 'The 202 body of an accepted message' })
  message?: AcceptedMessageDto;
  @ApiPropertyOptional({ type: BatchItemErrorDto, description: 'The refusal, as a single POST gives it' })
  error?: BatchItemErrorDto;
  @ApiPropertyOptional({ description: 'true when an idempotencyKey replayed an earlier response' }) replayed?: boolean;
}

export class BatchResponseDto {
  @ApiProperty() accepted!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [BatchResultDto] }) results!: BatchResultDto[];
}
