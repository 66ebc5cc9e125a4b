import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { notFound } from '@sms/platform';
import type { Page } from '../search/message-search';
import { InboundMessageDto, InboundPageDto } from '../search/search.dto';
import { InboundSearch } from './inbound-search';
import { parseInboundSearchQuery } from './inbound-search.query';
import type { InboundMessageView } from './inbound.views';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('inbound')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/inbound')
export class InboundController {
  constructor(private readonly inbound: InboundSearch) {}

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: "The caller's account's inbound messages, newest first, a page at a time" })
  @ApiQuery({ name: 'from', required: false, example: '+447400123456', description: 'who texted in' })
  @ApiQuery({ name: 'to', required: false, description: 'the number texted (E.164 or short code)' })
  @ApiQuery({ name: 'keyword', required: false, description: 'stop, stopall, start, help, none; comma-separated' })
  @ApiQuery({ name: 'provider', required: false, example: 'twilio' })
  @ApiQuery({ name: 'receivedAfter', required: false, description: 'ISO 8601, inclusive' })
  @ApiQuery({ name: 'receivedBefore', required: false, description: 'ISO 8601, exclusive' })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page, same filters' })
  @ApiResponse({ status: 200, type: InboundPageDto })
  @ApiResponse({
    status: 422,
    description:
      'INVALID_LIMIT, INVALID_CURSOR, INVALID_KEYWORD, INVALID_DATE, INVALID_DATE_RANGE, INVALID_PHONE_NUMBER, INVALID_PROVIDER, UNKNOWN_PARAMETER',
  })
  async list(@Req() request: AuthenticatedRequest, @Query() query: unknown): Promise<Page<InboundMessageView>> {
    const { filters, limit, cursor } = parseInboundSearchQuery(query);

    return this.inbound.search({ accountId: principalOf(request).accountId, filters, limit, cursor });
  }

  @Get(':id')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: "An inbound message of the caller's account" })
  @ApiResponse({ status: 200, type: InboundMessageDto })
  @ApiResponse({ status: 404, description: "No such inbound message in the caller's account" })
  async get(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<InboundMessageView> {
    const message = UUID.test(id) ? await this.inbound.find(id.toLowerCase(), principalOf(request).accountId) : null;
    if (!message) {
      throw notFound('Inbound message');
    }

    return message;
  }
}
