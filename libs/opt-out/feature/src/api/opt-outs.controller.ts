import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { ApiErrorFilter, notFound } from '@sms/platform';
import { OptOutLedger, type AuditView, type OptOutView } from '../ledger/opt-out.ledger';
import { CreateOptOutDto, OptOutAuditListDto, OptOutDto, OptOutListDto } from './opt-out.dto';
import { parseOptOutRequest, parseRecipient, parseSender } from './opt-out-request';

const MAX_LIST = 500;

@ApiTags('opt-outs')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/opt-outs')
export class OptOutsController {
  constructor(@Inject(OptOutLedger) private readonly ledger: OptOutLedger) {}

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: 'Current opt-outs of a number (or the latest ones without `number`)' })
  @ApiQuery({ name: 'number', required: false, example: '+447400123456' })
  @ApiResponse({ status: 200, type: OptOutListDto })
  async list(@Query('number') number: string | undefined): Promise<{ data: OptOutView[] }> {
    const recipient = number === undefined ? null : parseRecipient(number);

    return { data: await this.ledger.list(recipient, MAX_LIST) };
  }

  @Get(':number/history')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: 'Every opt-out change of a number, oldest first (source and time: the audit trail)' })
  @ApiResponse({ status: 200, type: OptOutAuditListDto })
  async history(@Param('number') number: string): Promise<{ data: AuditView[] }> {
    return { data: await this.ledger.history(parseRecipient(number), MAX_LIST) };
  }

  @Post()
  @HttpCode(201)
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Opt a number out manually (of one sender, or account-wide without `sender`)' })
  @ApiBody({ type: CreateOptOutDto })
  @ApiResponse({ status: 201, type: OptOutDto, description: 'The entry (also when it already existed)' })
  @ApiResponse({ status: 422, description: '`INVALID_PHONE_NUMBER`, `INVALID_SENDER`, `UNKNOWN_FIELD`' })
  async create(@Req() request: AuthenticatedRequest): Promise<OptOutView> {
    ApiErrorFilter.requireJson(request.headers['content-type']);
    const input = parseOptOutRequest(request.body);
    await this.ledger.optOut({ ...input, source: 'api' });
    const entry = await this.ledger.find(input.number, input.sender);
    if (!entry) {
      // Removed again by a concurrent DELETE between the two statements: report what happened.
      throw notFound('Opt-out');
    }

    return entry;
  }

  @Delete(':number')
  @HttpCode(204)
  @RequireScope(ApiScope.Admin)
  @ApiOperation({
    summary: 'Re-subscribe a number: its entry for `sender`, or every entry of the number without `sender`',
  })
  @ApiQuery({ name: 'sender', required: false })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, description: 'No such opt-out' })
  async remove(@Param('number') number: string, @Query('sender') sender: string | undefined): Promise<void> {
    const recipient = parseRecipient(number);
    const scope = sender === undefined ? undefined : [parseSender(sender)];
    const removed = await this.ledger.optIn(
      { number: recipient, source: 'api', reason: 'removed through the API' },
      scope,
    );
    if (removed === 0) {
      throw notFound('Opt-out');
    }
  }
}
