import { Controller, Get, Headers, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { ApiErrorFilter, notFound } from '@sms/platform';
import type { FastifyReply } from 'fastify';
import { AcceptedMessageDto, MessageDto, SendMessageDto } from './message.dto';
import type { MessageView } from './message.views';
import { MessagesService } from './messages.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @HttpCode(202)
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Queue a message for sending' })
  @ApiBody({ type: SendMessageDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-255 printable ASCII; replays within 24 h' })
  @ApiResponse({ status: 202, type: AcceptedMessageDto })
  @ApiResponse({ status: 422, description: 'A rule was broken; `error.code` says which' })
  async send(
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<void> {
    ApiErrorFilter.requireJson(request.headers['content-type']);
    const callerId = request.principal?.keyId ?? 'anonymous';
    const accountId = request.principal?.accountId ?? DEFAULT_ACCOUNT_ID;
    const outcome = await this.messages.accept(request.body, callerId, idempotencyKey, accountId);
    if (outcome.replayed) {
      void reply.header('idempotent-replayed', 'true');
    }
    await reply.status(outcome.response.status).send(outcome.response.body);
  }

  @Get(':id')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: 'A message with its status and every event' })
  @ApiResponse({ status: 200, type: MessageDto })
  async get(@Param('id') id: string): Promise<MessageView> {
    if (!UUID.test(id)) {
      throw notFound('Message');
    }
    const message = await this.messages.find(id.toLowerCase());
    if (!message) {
      throw notFound('Message');
    }

    return message;
  }
}
