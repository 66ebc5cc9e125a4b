import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { ApiErrorFilter } from '@sms/platform';
import { SendMessageDto } from './message.dto';
import { QuoteDto } from './quote.dto';
import { QuoteService, type QuoteView } from './quote.service';

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/messages')
export class QuoteController {
  constructor(private readonly quotes: QuoteService) {}

  @Post('quote')
  @HttpCode(200)
  @RequireScope(ApiScope.Send, ApiScope.Read)
  @ApiOperation({ summary: 'What a send of this body would meet (route, price, opt-out), without sending' })
  @ApiBody({ type: SendMessageDto })
  @ApiResponse({ status: 200, type: QuoteDto })
  @ApiResponse({ status: 422, description: 'The send would be refused: the same codes as POST /v1/messages' })
  async quote(@Req() request: AuthenticatedRequest): Promise<QuoteView> {
    ApiErrorFilter.requireJson(request.headers['content-type']);

    return this.quotes.quote(request.body, principalOf(request).accountId, presentedCredential(request));
  }
}

/** The key the guard accepted (Bearer or X-Api-Key), for a router asked on the caller's behalf. */
function presentedCredential(request: AuthenticatedRequest): string {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const header = request.headers['x-api-key'];

  return bearer?.[1] ?? (typeof header === 'string' ? header : '');
}
