import { ApiProperty, OmitType } from '@nestjs/swagger';
import { MessageDto } from '../messages/message.dto';

/** OpenAPI shapes of the search lists (api.md); the query is checked in *-search.query.ts. */
export class MessageSummaryDto extends OmitType(MessageDto, ['events'] as const) {
  @ApiProperty({ enum: ['outbound'] }) direction!: string;
  @ApiProperty({ enum: ['transactional', 'marketing'] }) messageClass!: string;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageSummaryDto] }) data!: MessageSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'opaque; null on the last page' })
  nextCursor!: string | null;
}
