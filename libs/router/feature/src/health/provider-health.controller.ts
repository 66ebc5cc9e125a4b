import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { unprocessable } from '@sms/platform';
import { HealthHistory, type ProviderHealthSeries } from './health-history';

const MAX_MINUTES = 1440;
const DEFAULT_MINUTES = 60;

export class HealthPointDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'null until 20 receipts came in the window' })
  deliveryRate!: number | null;
  @ApiProperty() errorRate!: number;
  @ApiProperty({ nullable: true, type: Number }) latencyMs!: number | null;
  @ApiProperty({ description: 'answered sends in the 5-minute window' }) attempts!: number;
  @ApiProperty({ enum: ['open', 'closed'], description: 'open while the router skips the provider' })
  circuit!: string;
}

export class ProviderHealthSeriesDto {
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ type: [HealthPointDto] }) points!: HealthPointDto[];
}

export class ProviderHealthListDto {
  @ApiProperty({ type: [ProviderHealthSeriesDto] }) data!: ProviderHealthSeriesDto[];
}

/** `?minutes=` 1-1440, 60 when absent; any other parameter is refused. */
export function parseHealthQuery(query: unknown): number {
  const values = (query ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (name !== 'minutes') {
      throw unprocessable('UNKNOWN_PARAMETER', `unknown query parameter ${JSON.stringify(name.slice(0, 64))}`, name);
    }
  }
  const text = values['minutes'];
  if (text === undefined || text === '') {
    return DEFAULT_MINUTES;
  }
  const minutes = typeof text === 'string' && /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(minutes >= 1 && minutes <= MAX_MINUTES)) {
    throw unprocessable('INVALID_MINUTES', `minutes must be a whole number from 1 to ${MAX_MINUTES}`, 'minutes');
  }

  return minutes;
}

@ApiTags('providers')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/providers/health')
export class ProviderHealthController {
  constructor(private readonly history: HealthHistory) {}

  @Get()
  @RequireScope(ApiScope.Read, ApiScope.Operator)
  @ApiOperation({
    operationId: 'getProviderHealth',
    summary: "Each provider's health over time, as the router sees it",
  })
  @ApiQuery({ name: 'minutes', required: false, description: '1-1440, default 60' })
  @ApiResponse({ status: 200, type: ProviderHealthListDto })
  @ApiResponse({ status: 422, description: 'INVALID_MINUTES, UNKNOWN_PARAMETER' })
  async get(@Query() query: unknown): Promise<{ data: ProviderHealthSeries[] }> {
    return { data: await this.history.over(parseHealthQuery(query)) };
  }
}
