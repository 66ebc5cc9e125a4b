import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of /v1/opt-outs (api.md). Validation lives in opt-out-request.ts. */
export class CreateOptOutDto {
  @ApiProperty({ example: '+447400123456', description: 'The recipient, E.164' })
  number!: string;

  @ApiPropertyOptional({
    example: '+447400900999',
    description: 'Only this sender; omitted: every sender of the account',
  })
  sender?: string;

  @ApiPropertyOptional({ example: 'asked by phone', maxLength: 128 })
  reason?: string;
}

export class OptOutDto {
  @ApiProperty({ example: '+447400123456' }) number!: string;
  @ApiProperty({ enum: ['sender', 'account'] }) scope!: string;
  @ApiProperty({ nullable: true, type: String, example: '+447400900999' }) sender!: string | null;
  @ApiProperty({ description: 'Blocks every account (STOPALL, or a STOP no account could be found for)' })
  everyAccount!: boolean;
  @ApiProperty({ example: 'STOP keyword via twilio' }) reason!: string;
  @ApiProperty({ enum: ['keyword', 'provider', 'api'] }) source!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class OptOutListDto {
  @ApiProperty({ type: [OptOutDto] }) data!: OptOutDto[];
}

export class OptOutAuditDto {
  @ApiProperty({ example: '+447400123456' }) number!: string;
  @ApiProperty({ nullable: true, type: String }) sender!: string | null;
  @ApiProperty() everyAccount!: boolean;
  @ApiProperty({ enum: ['opt_out', 'opt_in'] }) action!: string;
  @ApiProperty({ enum: ['keyword', 'provider', 'api'] }) source!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class OptOutAuditListDto {
  @ApiProperty({ type: [OptOutAuditDto] }) data!: OptOutAuditDto[];
}

export class OptOutSettingsDto {
  @ApiPropertyOptional({ enum: ['account', 'sender'], description: 'How far a STOP reaches within the account' })
  scope?: string;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 64, example: 'Acme Deliveries' })
  displayName?: string | null;
  @ApiPropertyOptional({ maxLength: 320, description: '`{name}` is replaced by the display name' })
  stopReply?: string;
  @ApiPropertyOptional({ maxLength: 320, description: 'Confirms a STOP under the per-sender scope' })
  stopSenderReply?: string;
  @ApiPropertyOptional({ maxLength: 320 }) startReply?: string;
  @ApiPropertyOptional({ maxLength: 320 }) helpReply?: string;
}
