import { ApiProperty, OmitType } from '@nestjs/swagger';
import { MessageDto } from '../messages/message.dto';

/** OpenAPI shapes of the search lists (api.md); the query is checked in *-search.query.ts. */
export class MessageSummaryDto extends OmitType(MessageDto, ['events', 'charges', 'costs'] as const) {
  @ApiProperty({ enum: ['outbound'] }) direction!: string;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageSummaryDto] }) data!: MessageSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'opaque; null on the last page' })
  nextCursor!: string | null;
}

export class InboundMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['inbound'] }) direction!: string;
  @ApiProperty({ example: '+447400123456', description: 'who texted in' }) from!: string;
  @ApiProperty({ example: '+447400654321', description: 'the number texted' }) to!: string;
  @ApiProperty({ example: 'STOP' }) body!: string;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty() providerMessageId!: string;
  @ApiProperty({ nullable: true, type: String, enum: ['STOP', 'STOPALL', 'START', 'HELP'] }) keyword!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['opted_out', 'opted_out_every_account', 'opted_in', 'help_answered'],
  })
  keywordHandling!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class InboundPageDto {
  @ApiProperty({ type: [InboundMessageDto] }) data!: InboundMessageDto[];
  @ApiProperty({ nullable: true, type: String, description: 'opaque; null on the last page' })
  nextCursor!: string | null;
}
