import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { ApiErrorFilter, notFound } from '@sms/platform';
import { OptOutLedger, type AuditView, type OptOutView } from '../ledger/opt-out.ledger';
import { OptOutSettingsStore, type OptOutSettingsView, parseSettingsPatch } from '../settings/opt-out-settings';
import { CreateOptOutDto, OptOutAuditListDto, OptOutDto, OptOutListDto, OptOutSettingsDto } from './opt-out.dto';
import { parseOptOutRequest, parseRecipient, parseSender } from './opt-out-request';

const MAX_LIST = 500;

/** Every call reads and writes only the caller's account (every-account entries are shown, read-only). */
const accountOf = (request: AuthenticatedRequest): string => request.principal?.accountId ?? DEFAULT_ACCOUNT_ID;

@ApiTags('opt-outs')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/opt-outs')
export class OptOutsController {
  constructor(
    @Inject(OptOutLedger) private readonly ledger: OptOutLedger,
    @Inject(OptOutSettingsStore) private readonly settings: OptOutSettingsStore,
  ) {}

  @Get('settings')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: "The caller's account's opt-out settings (its own values, the defaults elsewhere)" })
  @ApiResponse({ status: 200, type: OptOutSettingsDto })
  async getSettings(@Req() request: AuthenticatedRequest): Promise<OptOutSettingsView> {
    return this.settings.of(accountOf(request));
  }

  @Put('settings')
  @RequireScope(ApiScope.Admin)
  @ApiOperation({ summary: 'Change the account’s STOP scope, display name or reply texts (null: back to the default)' })
  @ApiBody({ type: OptOutSettingsDto })
  @ApiResponse({ status: 200, type: OptOutSettingsDto })
  @ApiResponse({
    status: 422,
    description: '`INVALID_OPT_OUT_SCOPE`, `INVALID_DISPLAY_NAME`, `INVALID_REPLY_TEXT`, `UNKNOWN_FIELD`',
  })
  async putSettings(@Req() request: AuthenticatedRequest): Promise<OptOutSettingsView> {
    ApiErrorFilter.requireJson(request.headers['content-type']);

    return this.settings.update(accountOf(request), parseSettingsPatch(request.body));
  }

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: 'Current opt-outs of a number (or the latest ones without `number`)' })
  @ApiQuery({ name: 'number', required: false, example: '+447400123456' })
  @ApiResponse({ status: 200, type: OptOutListDto })
  async list(
    @Req() request: AuthenticatedRequest,
    @Query('number') number: string | undefined,
  ): Promise<{ data: OptOutView[] }> {
    const recipient = number === undefined ? null : parseRecipient(number);

    return { data: await this.ledger.list(accountOf(request), recipient, MAX_LIST) };
  }

  @Get(':number/history')
  @RequireScope(ApiScope.Read)
  @ApiOperation({
    operationId: 'getOptOutHistory',
    summary: 'Every opt-out change of a number, oldest first (source and time: the audit trail)',
  })
  @ApiResponse({ status: 200, type: OptOutAuditListDto })
  async history(@Req() request: AuthenticatedRequest, @Param('number') number: string): Promise<{ data: AuditView[] }> {
    return { data: await this.ledger.history(accountOf(request), parseRecipient(number), MAX_LIST) };
  }

  @Post()
  @HttpCode(201)
  @RequireScope(ApiScope.Send)
  @ApiOperation({
    summary: "Opt a number out of the caller's account manually (of one sender, or every sender without `sender`)",
  })
  @ApiBody({ type: CreateOptOutDto })
  @ApiResponse({ status: 201, type: OptOutDto, description: 'The entry (also when it already existed)' })
  @ApiResponse({ status: 422, description: '`INVALID_PHONE_NUMBER`, `INVALID_SENDER`, `UNKNOWN_FIELD`' })
  async create(@Req() request: AuthenticatedRequest): Promise<OptOutView> {
    ApiErrorFilter.requireJson(request.headers['content-type']);
    const input = parseOptOutRequest(request.body);
    const accountId = accountOf(request);
    await this.ledger.optOut({ ...input, accountId, source: 'api' });
    const entry = await this.ledger.find(accountId, input.number, input.sender);
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
  async remove(
    @Req() request: AuthenticatedRequest,
    @Param('number') number: string,
    @Query('sender') sender: string | undefined,
  ): Promise<void> {
    const recipient = parseRecipient(number);
    // Only the account's own entries: an every-account entry is the recipient's (STOPALL), undone by START.
    const removed = await this.ledger.optIn(
      { number: recipient, source: 'api', reason: 'removed through the API' },
      { accountIds: [accountOf(request)], senders: sender === undefined ? undefined : [parseSender(sender)] },
    );
    if (removed === 0) {
      throw notFound('Opt-out');
    }
  }
}
