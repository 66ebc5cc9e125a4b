import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ACCOUNT_NOT_FOUND, AccountService, ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { ApiErrorFilter } from '@sms/platform';
import { AccountResendPolicyDto, ResendPolicyDto, ResendPolicyInputDto } from './resend-policy.dto';
import {
  type EffectiveResendPolicy,
  OPERATOR_SCOPE,
  parseResendPolicy,
  type ResendPolicy,
  ResendPolicyStore,
} from './resend-policy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INVALID = 'INVALID_REQUEST, UNKNOWN_FIELD, INVALID_ENABLED, INVALID_MESSAGE_CLASS, RESEND_CLASSES_REQUIRED';

/**
 * The operator's default for re-sending a message once through another route when its receipt is overdue
 * (docs/reconciliation.md, ADR 0023). Served by intake, which applies it; an account's own policy wins over it,
 * and RESEND_ON_RECEIPT_TIMEOUT is used while neither is set.
 */
@ApiTags('routes')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/resend-policy')
export class ResendPolicyController {
  constructor(private readonly store: ResendPolicyStore) {}

  @Get()
  @ApiOperation({ operationId: 'getResendPolicy', summary: "The operator's default overdue re-send policy" })
  @ApiResponse({ status: 200, type: ResendPolicyDto })
  get(): Promise<EffectiveResendPolicy> {
    return this.store.effective(null);
  }

  @Put()
  @ApiOperation({ operationId: 'putResendPolicy', summary: "Set the operator's default overdue re-send policy" })
  @ApiBody({ type: ResendPolicyInputDto })
  @ApiResponse({ status: 200, type: ResendPolicyDto })
  @ApiResponse({ status: 422, description: INVALID })
  async put(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<EffectiveResendPolicy> {
    ApiErrorFilter.requireJson(contentType);
    await this.store.put(OPERATOR_SCOPE, parseResendPolicy(body));

    return this.store.effective(null);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteResendPolicy',
    summary: "Drop the operator's default: RESEND_ON_RECEIPT_TIMEOUT applies again",
  })
  async remove(): Promise<void> {
    await this.store.remove(OPERATOR_SCOPE);
  }
}

/** One account's own overdue re-send policy, which wins over the operator's default (operator only). */
@ApiTags('routes')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/accounts/:id/resend-policy')
export class AccountResendPolicyController {
  constructor(
    private readonly store: ResendPolicyStore,
    private readonly accounts: AccountService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getAccountResendPolicy',
    summary: "The overdue re-send policy in force for an account, and the account's own",
  })
  @ApiResponse({ status: 200, type: AccountResendPolicyDto })
  async get(@Param('id') id: string): Promise<AccountResendPolicyView> {
    return this.view(await this.accountOf(id));
  }

  @Put()
  @ApiOperation({ operationId: 'putAccountResendPolicy', summary: "Set an account's own overdue re-send policy" })
  @ApiBody({ type: ResendPolicyInputDto })
  @ApiResponse({ status: 200, type: AccountResendPolicyDto })
  @ApiResponse({ status: 422, description: INVALID })
  async put(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<AccountResendPolicyView> {
    const accountId = await this.accountOf(id);
    ApiErrorFilter.requireJson(contentType);
    await this.store.put(accountId, parseResendPolicy(body));

    return this.view(accountId);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteAccountResendPolicy',
    summary: "Drop an account's own policy: the operator's default applies to it again",
  })
  async remove(@Param('id') id: string): Promise<void> {
    await this.store.remove(await this.accountOf(id));
  }

  private async accountOf(id: string): Promise<string> {
    if (!UUID.test(id) || !(await this.accounts.exists(id.toLowerCase()))) {
      throw ACCOUNT_NOT_FOUND();
    }

    return id.toLowerCase();
  }

  private async view(accountId: string): Promise<AccountResendPolicyView> {
    return {
      accountId,
      ...(await this.store.effective(accountId)),
      own: await this.store.stored(accountId),
    };
  }
}

interface AccountResendPolicyView extends EffectiveResendPolicy {
  readonly accountId: string;
  readonly own: ResendPolicy | null;
}
