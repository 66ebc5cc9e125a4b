import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schemas of GET /v1/stats/overview (overview.ts). */
export class MinuteCountsDto {
  @ApiProperty({ format: 'date-time' }) minute!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { delivered: 12, failed: 1 },
    description: 'messages created in the minute, by their status now',
  })
  counts!: Record<string, number>;
}

export class ReceiptLatencyDto {
  @ApiProperty({ nullable: true, type: Number }) p50!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95!: number | null;
}

export class RouteStatsDto {
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty() sent!: number;
  @ApiProperty() delivered!: number;
  @ApiProperty({ nullable: true, type: Number }) deliveryRate!: number | null;
  @ApiProperty({ type: ReceiptLatencyDto }) receiptLatencyMs!: ReceiptLatencyDto;
}

export class SpendTodayDto {
  @ApiProperty({ nullable: true, type: String, example: '1.240000', description: 'null when limits are off' })
  amount!: string | null;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

export class FiringAlertDto {
  @ApiProperty({ example: 'SmsOutboxBacklogHigh' }) name!: string;
  @ApiProperty({ enum: ['page', 'ticket'] }) severity!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
}

export class OverviewDto {
  @ApiProperty() minutes!: number;
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({ type: [MinuteCountsDto] }) perMinute!: MinuteCountsDto[];
  @ApiProperty({ type: [RouteStatsDto] }) routes!: RouteStatsDto[];
  @ApiProperty({ type: SpendTodayDto }) spendToday!: SpendTodayDto;
  @ApiProperty({ type: [FiringAlertDto] }) alerts!: FiringAlertDto[];
  @ApiProperty({ description: 'true when the window held more messages than were read' }) sampled!: boolean;
}
