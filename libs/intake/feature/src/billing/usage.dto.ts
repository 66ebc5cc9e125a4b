import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { USAGE_GROUPS } from './usage-query';

/** OpenAPI schemas of GET /v1/usage (usage.ts). */
export class UsageRowDto {
  @ApiPropertyOptional({ description: 'With groupBy=account' }) account?: string;
  @ApiPropertyOptional({ example: 'GB', description: 'With groupBy=country' }) country?: string;
  @ApiPropertyOptional({ example: 'twilio', description: 'With groupBy=provider' }) provider?: string;
  @ApiPropertyOptional({ example: '2026-12-01', description: 'With groupBy=day: the UTC day' }) day?: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '12.3456', description: 'The sum of the charges, decimal string, exact' }) amount!: string;
  @ApiProperty({ example: '0.0079', description: 'The part of amount that is still an estimate' })
  estimated!: string;
  @ApiProperty({ example: 1200, description: 'Charges (provider attempts) summed' }) charges!: number;
  @ApiProperty({ example: 1500 }) segments!: number;
}

export class UsageDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ enum: USAGE_GROUPS, isArray: true }) groupBy!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'null: every account (operators only)' })
  account!: string | null;
  @ApiProperty({ type: [UsageRowDto] }) data!: UsageRowDto[];
}
