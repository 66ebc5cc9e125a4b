import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, holdsScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { parseUsageQuery } from './usage-query';
import { Usage, type UsageView } from './usage';
import { UsageDto } from './usage.dto';

@ApiTags('billing')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: Usage) {}

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({
    operationId: 'getUsage',
    summary: "What the account's messages cost, summed per currency and by account, country, provider or day",
  })
  @ApiQuery({ name: 'from', required: true, description: 'ISO 8601; charges at or after it' })
  @ApiQuery({ name: 'to', required: true, description: 'ISO 8601; charges before it; at most 366 days after from' })
  @ApiQuery({ name: 'groupBy', required: false, description: 'account, country, provider, day (comma-separated)' })
  @ApiQuery({ name: 'account', required: false, description: 'Operators: an account id, or all' })
  @ApiResponse({ status: 200, type: UsageDto })
  @ApiResponse({
    status: 403,
    description: "FORBIDDEN: account= names another account and the key is not an operator's",
  })
  @ApiResponse({
    status: 422,
    description:
      'INVALID_DATE, INVALID_DATE_RANGE, DATE_RANGE_TOO_LONG, INVALID_GROUP_BY, INVALID_ACCOUNT, UNKNOWN_PARAMETER',
  })
  async get(@Req() request: AuthenticatedRequest, @Query() query: unknown): Promise<UsageView> {
    const principal = principalOf(request);

    return this.usage.read(
      parseUsageQuery(query, { accountId: principal.accountId, operator: holdsScope(principal, ApiScope.Operator) }),
    );
  }
}
