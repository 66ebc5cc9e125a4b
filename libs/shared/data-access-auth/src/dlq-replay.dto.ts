import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of `POST /v1/admin/dlq/replay` (DlqReplayRequest, DlqReplayResult): the document only. */
export class DlqReplayRequestDto {
  @ApiProperty({ description: 'The DLQ topic, `<topic>.dlq`', example: 'sms.dlr.received.dlq' }) topic!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Dead-lettered at or after (ISO 8601 with a zone)' })
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Dead-lettered before (ISO 8601 with a zone)' })
  to?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'At most this many records', example: 100 }) limit?: number;
  @ApiPropertyOptional({ description: 'List what would be replayed without replaying it', example: false })
  dryRun?: boolean;
}

export class DlqReplayedRecordDto {
  @ApiProperty({ type: 'integer', example: 0 }) partition!: number;
  @ApiProperty({ description: 'The offset in the DLQ topic, as a decimal string', example: '42' }) offset!: string;
  @ApiProperty({ example: 'sms.dlr.received' }) sourceTopic!: string;
  @ApiProperty({ format: 'date-time' }) deadLetteredAt!: string;
  @ApiProperty({ type: 'integer', description: 'Handler invocations before it was dead-lettered (0: never parsed)' })
  attempts!: number;
}

export class DlqReplayResultDto {
  @ApiProperty({ example: 'sms.dlr.received.dlq' }) dlqTopic!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({
    type: [DlqReplayedRecordDto],
    description: 'Put back now (or, on a dry run, what would be), oldest first',
  })
  replayed!: DlqReplayedRecordDto[];
  @ApiProperty({ type: 'integer', description: 'Records in the window an earlier replay put back already (skipped)' })
  alreadyReplayed!: number;
  @ApiProperty({ type: 'integer', description: 'Records in the window left for a later call because of the limit' })
  remaining!: number;
}
