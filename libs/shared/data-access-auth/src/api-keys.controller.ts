import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiError, ApiErrorFilter, unprocessable } from '@sms/platform';
import { ApiKeyGuard, RequireScope } from './api-key.guard';
import { ALL_SCOPES, ApiKeyService, ApiScope, type ApiKeyView } from './api-key.service';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing-service', maxLength: 128 })
  name!: string;

  @ApiProperty({ enum: ApiScope, isArray: true, example: ['send', 'read'] })
  scopes!: ApiScope[];
}

/** Operator route to create and revoke keys (admin scope). The key itself is shown once, at creation. */
@ApiTags('api-keys')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Admin)
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<ApiKeyView & { key: string }> {
    ApiErrorFilter.requireJson(contentType);
    const { name, scopes } = parseCreate(body);
    const { key, view } = await this.keys.create(name, scopes);

    return { ...view, key };
  }

  @Get()
  async list(): Promise<{ data: ApiKeyView[] }> {
    return { data: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) {
      throw new ApiError(404, 'NOT_FOUND', 'API key not found or already revoked');
    }
  }
}

function parseCreate(body: unknown): { name: string; scopes: ApiScope[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'INVALID_JSON', 'Request body must be a JSON object');
  }
  const record = body as Record<string, unknown>;
  const unknownField = Object.keys(record).find((k) => k !== 'name' && k !== 'scopes');
  if (unknownField) {
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${unknownField}'`, unknownField);
  }
  const { name, scopes } = record;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 128) {
    throw unprocessable('INVALID_NAME', 'name must be 1-128 characters', 'name');
  }
  if (
    !Array.isArray(scopes) ||
    scopes.length === 0 ||
    !scopes.every((s): s is ApiScope => typeof s === 'string' && (ALL_SCOPES as readonly string[]).includes(s))
  ) {
    throw unprocessable('INVALID_SCOPES', `scopes must be a non-empty list of ${ALL_SCOPES.join(', ')}`, 'scopes');
  }

  return { name: name.trim(), scopes };
}
