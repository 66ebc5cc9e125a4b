import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Optional,
  Patch,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorFilter, REGION_CONFIG, type RegionConfig, SINGLE_REGION, unprocessable } from '@sms/platform';
import { parseAccountSettings, parseCreateAccount } from './account-input';
import { AccountService, type AccountView } from './account.service';
import { ApiKeyGuard, type AuthenticatedRequest, principalOf, RequireScope } from './api-key.guard';
import { ApiScope } from './api-key.service';
import { ACCOUNT_NOT_FOUND } from './api-keys.controller';
import { AccountDto, AccountListDto, OwnAccountDto } from './auth-responses.dto';

const DATA_RESIDENCY_DOC = {
  nullable: true,
  type: String,
  description: "Region the account's messages are kept in, one of the deployment's REGIONS (docs/regions.md)",
  example: 'eu',
} as const;

export class CreateAccountDto {
  @ApiProperty({ example: 'Acme Ltd', maxLength: 128 })
  name!: string;

  @ApiPropertyOptional(DATA_RESIDENCY_DOC)
  dataResidency?: string | null;
}

export class AccountSettingsDto {
  @ApiPropertyOptional({ description: 'Default for sends without `smartEncoding`', example: true })
  smartEncoding?: boolean;

  @ApiPropertyOptional(DATA_RESIDENCY_DOC)
  dataResidency?: string | null;
}

/** A data-residency setting names a region this deployment knows; regions off, there is none to name. */
function checkResidency(regions: RegionConfig, residency: string | null | undefined): void {
  if (residency === undefined || residency === null) {
    return;
  }
  if (regions.region === null) {
    throw unprocessable(
      'REGIONS_NOT_CONFIGURED',
      'This deployment has one region: dataResidency cannot be set',
      'dataResidency',
    );
  }
  if (!regions.regions.has(residency)) {
    throw unprocessable(
      'UNKNOWN_REGION',
      `dataResidency must be one of ${[...regions.regions.keys()].join(', ')}`,
      'dataResidency',
    );
  }
}

/** The platform's accounts: created and listed by operators only. */
@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountService,
    @Optional() @Inject(REGION_CONFIG) private readonly regions: RegionConfig = SINGLE_REGION,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ type: CreateAccountDto })
  @ApiResponse({ status: 201, type: AccountDto })
  async create(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<AccountView> {
    ApiErrorFilter.requireJson(contentType);

    const input = parseCreateAccount(body);
    checkResidency(this.regions, input.dataResidency);

    return this.accounts.create(input.name, undefined, input.dataResidency ?? null);
  }

  @Get()
  @ApiResponse({ status: 200, type: AccountListDto })
  async list(): Promise<{ data: AccountView[] }> {
    return { data: await this.accounts.list() };
  }
}

/** The caller's own account, for any valid key whatever its scopes. */
@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/account')
export class OwnAccountController {
  constructor(
    private readonly accounts: AccountService,
    @Optional() @Inject(REGION_CONFIG) private readonly regions: RegionConfig = SINGLE_REGION,
  ) {}

  @Get()
  @ApiResponse({ status: 200, type: OwnAccountDto })
  async get(@Req() request: AuthenticatedRequest): Promise<AccountView & { keyId: string; scopes: ApiScope[] }> {
    const principal = principalOf(request);
    const account = await this.accounts.find(principal.accountId);
    if (!account) {
      throw ACCOUNT_NOT_FOUND();
    }

    return { ...account, keyId: principal.keyId, scopes: [...principal.scopes] };
  }

  /** The caller's own account settings (an account admin's, not the platform operator's). */
  @Patch()
  @RequireScope(ApiScope.Admin)
  @ApiBody({ type: AccountSettingsDto })
  @ApiResponse({ status: 200, type: AccountDto })
  async update(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<AccountView> {
    ApiErrorFilter.requireJson(contentType);
    const changes = parseAccountSettings(body);
    checkResidency(this.regions, changes.dataResidency);
    const account = await this.accounts.updateSettings(principalOf(request).accountId, changes);
    if (!account) {
      throw ACCOUNT_NOT_FOUND();
    }

    return account;
  }
}
