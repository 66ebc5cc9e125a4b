import { Controller, Delete, Get, HttpCode, Inject, Param, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ACCOUNT_NOT_FOUND,
  AccountService,
  ApiKeyGuard,
  ApiScope,
  holdsScope,
  type AuthenticatedRequest,
} from '@sms/auth';
import { ApiError, ApiErrorFilter, INTAKE_CONFIG, type IntakeGroup, notFound } from '@sms/platform';
import { getCountries } from 'libphonenumber-js/max';
import { raisedFields } from './limit-policy';
import { type LimitsView, parseAccountLimits, parseKeyLimits, toLimitsView } from './limits-input';
import { AccountLimitsDto, AccountLimitsInputDto, KeyLimitsInputDto } from './limits.dto';
import { LimitsStore } from './limits.store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALL_COUNTRIES: readonly string[] = getCountries();

export interface AccountLimitsView {
  readonly accountId: string;
  /** `account` when the account has limits of its own, `default` when it runs on the configured defaults. */
  readonly source: 'account' | 'default';
  readonly currency: string;
  readonly limits: LimitsView;
  readonly keys: readonly { readonly keyId: string; readonly limits: LimitsView }[];
}

/**
 * `/v1/accounts/:id/limits` (docs/limits.md). Operators (the `operator` scope) read and set any
 * account's limits; an account's own admin reads them and may only lower them (raising is 403
 * LIMIT_RAISE_FORBIDDEN), and sets its keys' own limits, which can only narrow the account's.
 */
@ApiTags('limits')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/accounts/:id/limits')
export class LimitsController {
  private readonly currency: string;

  constructor(
    private readonly store: LimitsStore,
    private readonly accounts: AccountService,
    @Inject(INTAKE_CONFIG) intake: IntakeGroup,
  ) {
    this.currency = intake.limits.currency;
  }

  @Get()
  @ApiOperation({
    operationId: 'getAccountLimits',
    summary: "An account's limits and its keys' own limits (operator, or the account's admin)",
  })
  @ApiResponse({ status: 200, description: 'The limits in force', type: AccountLimitsDto })
  async get(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<AccountLimitsView> {
    const accountId = await this.authorize(request, id);

    return this.view(accountId);
  }

  @Put()
  @ApiOperation({
    operationId: 'putAccountLimits',
    summary: "Replace an account's limits (operator; the account's admin may only lower them)",
  })
  @ApiBody({ type: AccountLimitsInputDto })
  @ApiResponse({ status: 200, description: 'The limits now in force', type: AccountLimitsDto })
  @ApiResponse({ status: 403, description: 'LIMIT_RAISE_FORBIDDEN: an admin tried to raise a limit' })
  @ApiResponse({ status: 422, description: 'INVALID_LIMIT, INVALID_COUNTRY, INVALID_NUMBER_TYPE, UNKNOWN_FIELD' })
  async put(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<AccountLimitsView> {
    const accountId = await this.authorize(request, id);
    ApiErrorFilter.requireJson(request.headers['content-type']);
    const next = parseAccountLimits(request.body, this.store.defaultLimits);
    if (!this.isOperator(request)) {
      const raised = raisedFields((await this.store.forAccount(accountId)).account, next, ALL_COUNTRIES);
      if (raised.length > 0) {
        throw new ApiError(
          403,
          'LIMIT_RAISE_FORBIDDEN',
          `Only an operator may raise an account's limits: ${raised.join(', ')}`,
          raised[0],
        );
      }
    }
    await this.store.putAccount(accountId, next);

    return this.view(accountId);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'resetAccountLimits',
    summary: "Drop an account's own limits: it runs on the configured defaults (operator)",
  })
  async reset(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<void> {
    const accountId = await this.authorize(request, id);
    if (!this.isOperator(request)) {
      throw new ApiError(403, 'FORBIDDEN', 'Only an operator may reset limits to the defaults');
    }
    await this.store.deleteAccount(accountId);
  }

  @Put('keys/:keyId')
  @ApiOperation({
    operationId: 'putApiKeyLimits',
    summary: "Set one API key's own limits within its account (operator, or the account's admin)",
  })
  @ApiBody({ type: KeyLimitsInputDto })
  @ApiResponse({ status: 200, description: 'The account limits now in force, with its keys', type: AccountLimitsDto })
  async putKey(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
    @Param('keyId') keyId: string,
  ): Promise<AccountLimitsView> {
    const accountId = await this.authorize(request, id);
    ApiErrorFilter.requireJson(request.headers['content-type']);
    // A key's limits apply only to that key's traffic in this account, and only ever narrow the account's.
    await this.store.putKey(accountId, keyIdOf(keyId), parseKeyLimits(request.body));

    return this.view(accountId);
  }

  @Delete('keys/:keyId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteApiKeyLimits',
    summary: "Drop one API key's own limits (operator, or the account's admin)",
  })
  async deleteKey(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    const accountId = await this.authorize(request, id);
    if (!(await this.store.deleteKey(accountId, keyIdOf(keyId)))) {
      throw notFound('Key limits');
    }
  }

  /**
   * Another account's limits are 404 to anyone but an operator (the id says nothing about which accounts
   * exist); within its own account a key needs admin; an account that does not exist is 404 for all.
   */
  private async authorize(request: AuthenticatedRequest, id: string): Promise<string> {
    if (!UUID.test(id)) {
      throw ACCOUNT_NOT_FOUND();
    }
    const accountId = id.toLowerCase();
    const principal = request.principal;
    const operator = this.isOperator(request);
    if (!operator && principal?.accountId !== accountId) {
      throw ACCOUNT_NOT_FOUND();
    }
    if (!operator && !(principal && holdsScope(principal, ApiScope.Admin))) {
      throw new ApiError(403, 'FORBIDDEN', "Only an operator or the account's own admin may manage its limits");
    }
    if (!(await this.accounts.exists(accountId))) {
      throw ACCOUNT_NOT_FOUND();
    }

    return accountId;
  }

  private isOperator(request: AuthenticatedRequest): boolean {
    return !!request.principal && holdsScope(request.principal, ApiScope.Operator);
  }

  private async view(accountId: string): Promise<AccountLimitsView> {
    const set = await this.store.forAccount(accountId);

    return {
      accountId,
      source: set.stored ? 'account' : 'default',
      currency: this.currency,
      limits: toLimitsView(set.account),
      keys: [...set.keys].map(([keyId, limits]) => ({ keyId, limits: toLimitsView(limits) })),
    };
  }
}

function keyIdOf(value: string): string {
  if (!UUID.test(value)) {
    throw notFound('Key');
  }

  return value.toLowerCase();
}
