import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import type { Page } from '../search/message-search';
import type { ConversationView, ThreadMessageView } from './conversation.views';
import { Conversations } from './conversations';
import { ConversationPageDto, ThreadPageDto } from './conversations.dto';
import { parseConversationsQuery, parseThreadQuery } from './conversations.query';

@ApiTags('inbound')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/inbound/conversations')
export class ConversationsController {
  constructor(private readonly conversations: Conversations) {}

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({ operationId: 'listConversations', summary: 'Threads per pair of numbers, latest first' })
  @ApiQuery({ name: 'limit', required: false, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiResponse({ status: 200, type: ConversationPageDto })
  @ApiResponse({ status: 422, description: 'INVALID_LIMIT, INVALID_CURSOR, UNKNOWN_PARAMETER' })
  async list(@Req() request: AuthenticatedRequest, @Query() query: unknown): Promise<Page<ConversationView>> {
    const { limit, cursor } = parseConversationsQuery(query);

    return this.conversations.list(principalOf(request).accountId, limit, cursor);
  }

  @Get('messages')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ operationId: 'listConversationMessages', summary: 'Both directions of one thread, newest first' })
  @ApiQuery({ name: 'ourNumber', required: true, example: '+14155552671', description: "the account's number" })
  @ApiQuery({ name: 'theirNumber', required: true, example: '+447400123456' })
  @ApiQuery({ name: 'limit', required: false, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page, same numbers' })
  @ApiResponse({ status: 200, type: ThreadPageDto })
  @ApiResponse({
    status: 422,
    description: 'INVALID_PHONE_NUMBER, MISSING_PARAMETER, INVALID_LIMIT, INVALID_CURSOR, UNKNOWN_PARAMETER',
  })
  async thread(@Req() request: AuthenticatedRequest, @Query() query: unknown): Promise<Page<ThreadMessageView>> {
    const { ourNumber, theirNumber, limit, cursor } = parseThreadQuery(query);

    return this.conversations.thread(principalOf(request).accountId, ourNumber, theirNumber, limit, cursor);
  }
}
