import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schemas of the conversation reads (conversation.views.ts). */
export class ConversationDto {
  @ApiProperty({ example: '+14155552671' }) ourNumber!: string;
  @ApiProperty({ example: '+447400123456' }) theirNumber!: string;
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
  @ApiProperty() inbound!: number;
  @ApiProperty() outbound!: number;
  @ApiProperty({ description: 'ourNumber is a masking pool number' }) masked!: boolean;
}

export class ConversationPageDto {
  @ApiProperty({ type: [ConversationDto] }) data!: ConversationDto[];
  @ApiProperty({ nullable: true, type: String, description: 'opaque; null on the last page' })
  nextCursor!: string | null;
}

export class ThreadMessageDto {
  @ApiProperty({ enum: ['inbound', 'outbound'] }) direction!: string;
  @ApiProperty() id!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ example: 'delivered', description: "the outbound message's status; received for inbound" })
  status!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ThreadPageDto {
  @ApiProperty({ type: [ThreadMessageDto] }) data!: ThreadMessageDto[];
  @ApiProperty({ nullable: true, type: String, description: 'opaque; null on the last page' })
  nextCursor!: string | null;
}
