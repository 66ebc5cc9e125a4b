import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiError, ApiErrorFilter } from '@sms/platform';
import { parseCreateKey, parseId } from './account-input';
import { AccountService } from './account.service';
import {
  ApiKeyGuard,
  type AuthenticatedRequest,
  holdsScope,
  principalOf,
  RequireScope,
  scopeOf,
} from './api-key.guard';
import { ApiKeyService, ApiScope, type ApiKeyView } from './api-key.service';
import { ApiKeyListDto, CreatedApiKeyDto } from './auth-responses.dto';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing-service', maxLength: 128 })
  name!: string;

  @ApiProperty({ enum: ApiScope, isArray: true, example: ['send', 'read'] })
  scopes!: ApiScope[];

  @ApiPropertyOptional({ format: 'uuid', description: "Another account's id (operator keys only)" })
  accountId?: string;
}

export const ACCOUNT_NOT_FOUND = (): ApiError =>
  new ApiError(404, 'ACCOUNT_NOT_FOUND', 'Account not found', 'accountId');

/**
 * Keys of the caller's account (`admin`), or of any account (`operator`). The key itself is shown once,
 * at creation. Another account's key is "not found" to a non-operator, exactly like an absent one.
 */
@ApiTags('api-keys')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Admin, ApiScope.Operator)
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly accounts: AccountService,
  ) {}

  /**
   * An admin creates keys in its own account only, and cannot grant `operator` (that would lift it out
   * of its account); an operator may name any existing account.
   */
  @Post()
  @HttpCode(201)
  @ApiBody({ type: CreateApiKeyDto })
  @ApiResponse({ status: 201, type: CreatedApiKeyDto })
  async create(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<ApiKeyView & { key: string }> {
    ApiErrorFilter.requireJson(contentType);
    const principal = principalOf(request);
    const input = parseCreateKey(body);
    const operator = holdsScope(principal, ApiScope.Operator);
    const accountId = input.accountId ?? principal.accountId;
    if (!operator && accountId !== principal.accountId) {
      throw new ApiError(403, 'FORBIDDEN', 'Keys can be created only in your own account', 'accountId');
    }
    if (!operator && input.scopes.includes(ApiScope.Operator)) {
      throw new ApiError(403, 'FORBIDDEN', "Only an operator key may grant the 'operator' scope", 'scopes');
    }
    if (!(await this.accounts.exists(accountId))) {
      throw ACCOUNT_NOT_FOUND();
    }
    const { key, view } = await this.keys.create(input.name, input.scopes, { accountId });

    return { ...view, key };
  }

  @Get()
  @ApiResponse({ status: 200, type: ApiKeyListDto })
  async list(@Req() request: AuthenticatedRequest): Promise<{ data: ApiKeyView[] }> {
    return { data: await this.keys.list(scopeOf(principalOf(request))) };
  }

  /** A non-operator cannot revoke an operator key, even in its own account: that would be a platform outage. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Req() request: AuthenticatedRequest, @Param('id') rawId: string): Promise<void> {
    const principal = principalOf(request);
    const id = parseId(rawId, 'INVALID_KEY_ID', 'id');
    const within = scopeOf(principal);
    const target = await this.keys.find(id, within);
    if (target?.scopes.includes(ApiScope.Operator) && within !== null) {
      throw new ApiError(403, 'FORBIDDEN', 'Only an operator key may revoke an operator key');
    }
    if (!target || !(await this.keys.revoke(id, within))) {
      throw new ApiError(404, 'NOT_FOUND', 'API key not found or already revoked');
    }
  }
}
