import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of /v1/masks (api.md). Validation lives in mask-request.ts. */
export class CreateMaskDto {
  @ApiProperty({ example: '+14155550100' }) partyA!: string;
  @ApiProperty({ example: '+14155550101' }) partyB!: string;
  @ApiPropertyOptional({ example: 'order-42', maxLength: 128 }) contextId?: string;
  @ApiPropertyOptional({ example: 3600, minimum: 1, maximum: 2592000, default: 3600 }) ttlSeconds?: number;
}

export class MaskPartyDto {
  @ApiProperty({ example: '+14155550100', description: 'The real number' }) number!: string;
  @ApiProperty({
    example: '+12025550160',
    description: 'The pool number this party texts to reach the other, and sees as the sender of their messages',
  })
  maskedNumber!: string;
}

export class MaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) contextId!: string | null;
  @ApiProperty({ type: MaskPartyDto }) partyA!: MaskPartyDto;
  @ApiProperty({ type: MaskPartyDto }) partyB!: MaskPartyDto;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ enum: ['active', 'closed'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) closedAt!: string | null;
}

export class MaskListDto {
  @ApiProperty({ type: [MaskDto] }) data!: MaskDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass back as `cursor` for the next page' })
  nextCursor!: string | null;
}
