import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of `GET /v1/admin/receipts/unmatched` (UnmatchedReceiptView): the document only. */
export class UnmatchedReceiptDto {
  @ApiProperty({ example: '17' }) id!: string;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: 'SM0123456789abcdef' }) providerMessageId!: string;
  @ApiProperty({
    enum: ['unmatched', 'unreadable'],
    description: 'unmatched: no message with this provider id (yet); unreadable: the parser read nothing',
  })
  reason!: string;
  @ApiProperty({ nullable: true, type: String, example: 'delivered' }) status!: string | null;
  @ApiProperty({ nullable: true, type: String }) detail!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) webhookId!: string | null;
  @ApiProperty({ format: 'date-time' }) parkedAt!: string;
}

export class UnmatchedReceiptListDto {
  @ApiProperty({ type: [UnmatchedReceiptDto] }) data!: UnmatchedReceiptDto[];
}
