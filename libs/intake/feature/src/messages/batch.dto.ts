import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SendMessageDto } from './message.dto';

/** OpenAPI shapes of `POST /v1/messages/batch` (api.md "Batches"); batch-request.ts validates. */
export class BatchItemDto extends SendMessageDto {
  @ApiPropertyOptional({
    description: "This message's Idempotency-Key (the single send's rules)",
    example: 'order-42-sms',
  })
  idempotencyKey?: string;
}

export class SendBatchDto {
  @ApiProperty({ type: [BatchItemDto], minItems: 1, maxItems: 1000 })
  messages!: BatchItemDto[];

  @ApiPropertyOptional({
    description: 'Fields every message gets unless it sets them itself (not to, body, clientReference, idempotencyKey)',
    example: { from: 'Acme', messageClass: 'transactional' },
  })
  defaults?: Record<string, unknown>;
}

export class BatchResultDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ example: 202, description: 'What a single POST with this body would have answered' })
  status!: number;
  @ApiPropertyOptional({ description: 'The 202 body of an accepted message' }) message?: object;
  @ApiPropertyOptional({ description: 'The refusal, as a single POST gives it' }) error?: object;
  @ApiPropertyOptional({ description: 'true when an idempotencyKey replayed an earlier response' }) replayed?: boolean;
}

export class BatchResponseDto {
  @ApiProperty() accepted!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ type: [BatchResultDto] }) results!: BatchResultDto[];
}
