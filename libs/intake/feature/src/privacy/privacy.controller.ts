import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, type AuthenticatedRequest, principalOf, RequireScope } from '@sms/auth';
import { ApiErrorFilter, notFound, serviceUnavailable } from '@sms/platform';
import { isErasureId, parseErasureRequest } from './erasure-input';
import { PRIVACY_RUNTIME, type PrivacyRuntime } from './privacy.runtime';
import type { ErasureView } from './privacy-erasures.store';
import { CreateErasureDto, ErasureResponse } from './privacy.views';

/**
 * `/v1/privacy/erasures` (docs/privacy.md): erase one person's number and message texts everywhere the
 * gateway keeps them, and follow the erasure slice by slice. Operator scope: an erasure reaches every
 * account's data, so one tenant's admin must not be able to destroy another tenant's records (docs/privacy.md,
 * "Who may erase"). The record keeps the account and key that asked.
 */
@ApiTags('privacy')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/privacy/erasures')
export class PrivacyController {
  constructor(@Inject(PRIVACY_RUNTIME) private readonly runtime: PrivacyRuntime | null) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: "Erase a person's number and message texts everywhere (answers at once, pending)" })
  @ApiBody({ type: CreateErasureDto })
  @ApiResponse({ status: 202, type: ErasureResponse })
  @ApiResponse({ status: 400, description: 'INVALID_PHONE_NUMBER, UNKNOWN_FIELD, INVALID_BODY' })
  @ApiResponse({ status: 403, description: "FORBIDDEN: the key lacks the 'operator' scope" })
  @ApiResponse({ status: 503, description: 'SERVICE_UNAVAILABLE: PRIVACY_SALT is not configured' })
  async create(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<ErasureView> {
    const runtime = this.configured();
    ApiErrorFilter.requireJson(contentType);
    const { number } = parseErasureRequest(body);
    const principal = principalOf(request);

    return runtime.store.request({
      accountId: principal.accountId,
      requestedBy: principal.keyId,
      number,
      slices: runtime.slices(),
      regions: runtime.regions(),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An erasure: pending or completed, and what each slice changed' })
  @ApiResponse({ status: 200, type: ErasureResponse })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: no such erasure' })
  async get(@Param('id') id: string): Promise<ErasureView> {
    const runtime = this.configured();
    const view = isErasureId(id) ? await runtime.store.find(id) : null;
    if (!view) {
      throw notFound('Erasure');
    }

    return view;
  }

  private configured(): PrivacyRuntime {
    if (!this.runtime) {
      throw serviceUnavailable('Erasure is off: the operator has not set PRIVACY_SALT', 60);
    }

    return this.runtime;
  }
}
