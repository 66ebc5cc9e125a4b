import { Controller, Get, Headers, HttpCode, Inject, Optional, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ARCHIVED_ROW_LOOKUP, type ArchivedRowLookup } from '@sms/archive';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { ApiErrorFilter, notFound } from '@sms/platform';
import type { FastifyReply } from 'fastify';
import { AcceptedMessageDto, MessageDto, SendMessageDto } from './message.dto';
import type { MessageView } from './message.views';
import { MessageCanceller } from '../status/message-canceller';
import { findArchivedMessage, MessageArchivedError } from './archived-message';
import { MessagesService } from './messages.service';
import { RegionForwarder } from '../regions/region-forwarder';
import { RegionGate } from '../regions/region-gate';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly canceller: MessageCanceller,
    @Optional() @Inject(ARCHIVED_ROW_LOOKUP) private readonly archived: ArchivedRowLookup | null = null,
    // Named tokens: a union type leaves no class in the parameter metadata for the injector to find.
    @Optional() @Inject(RegionGate) private readonly regions: RegionGate | null = null,
    @Optional() @Inject(RegionForwarder) private readonly forwarder: RegionForwarder | null = null,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Queue a message for sending' })
  @ApiBody({ type: SendMessageDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-255 printable ASCII; replays within 24 h' })
  @ApiResponse({ status: 202, type: AcceptedMessageDto })
  @ApiResponse({ status: 422, description: 'A rule was broken; `error.code` says which' })
  @ApiResponse({
    status: 503,
    description: 'REGION_UNAVAILABLE: the region that owns the message (docs/regions.md) cannot be reached',
  })
  @ApiResponse({
    status: 429,
    description:
      'A limit was reached (RATE_LIMITED, DAILY_LIMIT_REACHED, SPEND_CAP_REACHED, PUMPING_SUSPECTED); see Retry-After',
  })
  async send(
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<void> {
    ApiErrorFilter.requireJson(request.headers['content-type']);
    // Another region's message is sent by that region's intake, so it is written only there (docs/regions.md).
    const region = await this.regions?.foreignRegionOfRequest(principalOf(request).accountId, request.body);
    if (region && this.forwarder) {
      return this.forwarder.forward(region, request, reply);
    }
    const outcome = await this.messages.accept(request.body, principalOf(request), idempotencyKey);
    if (outcome.replayed) {
      void reply.header('idempotent-replayed', 'true');
    }
    await reply.status(outcome.response.status).send(outcome.response.body);
  }

  @Get(':id')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: "A message of the caller's account with its status and every event" })
  @ApiResponse({ status: 200, type: MessageDto })
  @ApiResponse({ status: 404, description: "No such message in the caller's account (another account's is 404 too)" })
  @ApiResponse({
    status: 410,
    description:
      'MESSAGE_ARCHIVED: the message left the hot ledger for the archive; `error.archive` names the table, month and file',
  })
  async get(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<MessageView> {
    const { accountId } = principalOf(request);
    if (!UUID.test(id)) {
      throw notFound('Message');
    }
    // Operators too: message bodies are the account's, and the operator scope is for the platform's routes.
    const message = await this.messages.find(id.toLowerCase(), accountId);
    if (!message) {
      const archived = this.archived ? await findArchivedMessage(this.archived, id.toLowerCase(), accountId) : null;
      throw archived ? new MessageArchivedError(archived) : notFound('Message');
    }

    return message;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Cancel a scheduled or queued message that no provider has yet' })
  @ApiResponse({ status: 200, type: MessageDto, description: 'Cancelled: the message as it now is' })
  @ApiResponse({ status: 404, description: "No such message in the caller's account (another account's is 404 too)" })
  @ApiResponse({
    status: 409,
    description: 'MESSAGE_ALREADY_CANCELLED, MESSAGE_WITH_PROVIDER (a provider may have it) or MESSAGE_FINAL',
  })
  async cancel(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<MessageView> {
    const { accountId } = principalOf(request);
    if (!UUID.test(id)) {
      throw notFound('Message');
    }
    await this.canceller.cancel(id.toLowerCase(), accountId);
    const message = await this.messages.find(id.toLowerCase(), accountId);
    if (!message) {
      const archived = this.archived ? await findArchivedMessage(this.archived, id.toLowerCase(), accountId) : null;
      throw archived ? new MessageArchivedError(archived) : notFound('Message');
    }

    return message;
  }
}
