import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { MessageSearch, type MessageSummary, type Page } from './message-search';
import { parseMessageSearchQuery } from './message-search.query';
import { MessagePageDto } from './search.dto';

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/messages')
export class MessageSearchController {
  constructor(private readonly search: MessageSearch) {}

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: "Search the caller's account's messages, newest first, a page at a time" })
  @ApiQuery({ name: 'status', required: false, description: 'one or more, comma-separated or repeated' })
  @ApiQuery({ name: 'to', required: false, example: '+447400123456' })
  @ApiQuery({ name: 'from', required: false, description: 'the sender used (or asked for)' })
  @ApiQuery({ name: 'clientReference', required: false })
  @ApiQuery({ name: 'provider', required: false, example: 'twilio' })
  @ApiQuery({ name: 'country', required: false, example: 'GB' })
  @ApiQuery({ name: 'createdAfter', required: false, description: 'ISO 8601, inclusive' })
  @ApiQuery({ name: 'createdBefore', required: false, description: 'ISO 8601, exclusive' })
  @ApiQuery({ name: 'direction', required: false, description: 'outbound (inbound: GET /v1/inbound)' })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page, same filters' })
  @ApiResponse({ status: 200, type: MessagePageDto })
  @ApiResponse({
    status: 422,
    description:
      'INVALID_LIMIT, INVALID_CURSOR, INVALID_STATUS, INVALID_DATE, INVALID_DATE_RANGE, INVALID_PHONE_NUMBER, INVALID_SENDER, INVALID_COUNTRY, INVALID_PROVIDER, INVALID_CLIENT_REFERENCE, INVALID_DIRECTION, UNKNOWN_PARAMETER',
  })
  async list(@Req() request: AuthenticatedRequest, @Query() query: unknown): Promise<Page<MessageSummary>> {
    const { filters, limit, cursor } = parseMessageSearchQuery(query);

    return this.search.search({ accountId: principalOf(request).accountId, filters, limit, cursor });
  }
}
