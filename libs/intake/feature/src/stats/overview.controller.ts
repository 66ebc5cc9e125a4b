import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { parseMinutesQuery } from './minutes-query';
import { Overview, type OverviewView } from './overview';
import { OverviewDto } from './overview.dto';

@ApiTags('stats')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/stats')
export class OverviewController {
  constructor(private readonly overview: Overview) {}

  @Get('overview')
  @RequireScope(ApiScope.Read)
  @ApiOperation({
    operationId: 'getStatsOverview',
    summary: "The account's messages per minute, routes, spend today and the alerts firing",
  })
  @ApiQuery({ name: 'minutes', required: false, description: '1-1440, default 60' })
  @ApiResponse({ status: 200, type: OverviewDto })
  @ApiResponse({ status: 422, description: 'INVALID_MINUTES, UNKNOWN_PARAMETER' })
  async get(@Req() request: AuthenticatedRequest, @Query() query: unknown): Promise<OverviewView> {
    return this.overview.read(principalOf(request).accountId, parseMinutesQuery(query));
  }
}
