import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { ApiErrorFilter, notFound } from '@sms/platform';
import { parseMaskRequest } from '../sessions/mask-request';
import { encodeMaskCursor, parseMaskListQuery } from '../sessions/mask-list-query';
import { MaskSessions, type MaskView } from '../sessions/mask-sessions';
import { CreateMaskDto, MaskDto, MaskListDto } from './mask.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sessions belong to the account that opened them: another account's session is a 404, never a 403. */
const accountOf = (request: AuthenticatedRequest): string => request.principal?.accountId ?? DEFAULT_ACCOUNT_ID;

@ApiTags('masks')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/masks')
export class MasksController {
  constructor(@Inject(MaskSessions) private readonly sessions: MaskSessions) {}

  @Post()
  @HttpCode(201)
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Open a masking session between two parties over pool numbers' })
  @ApiBody({ type: CreateMaskDto })
  @ApiResponse({ status: 201, type: MaskDto })
  @ApiResponse({ status: 422, description: '`NO_MASK_NUMBER_AVAILABLE`, `INVALID_PHONE_NUMBER`, `SAME_PARTIES`, …' })
  async create(@Req() request: AuthenticatedRequest): Promise<MaskView> {
    ApiErrorFilter.requireJson(request.headers['content-type']);

    return this.sessions.create(parseMaskRequest(request.body), accountOf(request));
  }

  @Get()
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: "The account's masking sessions, newest first" })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'closed'] })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiResponse({ status: 200, type: MaskListDto })
  @ApiResponse({ status: 422, description: '`INVALID_LIMIT`, `INVALID_STATUS`, `INVALID_CURSOR`, `UNKNOWN_PARAMETER`' })
  async list(
    @Req() request: AuthenticatedRequest,
    @Query() query: Record<string, unknown>,
  ): Promise<{ data: MaskView[]; nextCursor: string | null }> {
    const page = await this.sessions.list(accountOf(request), parseMaskListQuery(query));

    return { data: page.data, nextCursor: page.next ? encodeMaskCursor(page.next) : null };
  }

  @Get(':id')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: 'A masking session (closed once expired)' })
  @ApiResponse({ status: 200, type: MaskDto })
  async get(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<MaskView> {
    return this.findOrThrow(id, accountOf(request));
  }

  @Delete(':id')
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Close a session; its numbers return to the pool' })
  @ApiResponse({ status: 200, type: MaskDto })
  async close(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<MaskView> {
    const accountId = accountOf(request);
    await this.findOrThrow(id, accountId);
    await this.sessions.close(id.toLowerCase());

    return this.findOrThrow(id, accountId);
  }

  private async findOrThrow(id: string, accountId: string): Promise<MaskView> {
    const mask = UUID.test(id) ? await this.sessions.find(id.toLowerCase(), accountId) : null;
    if (!mask) {
      throw notFound('Mask');
    }

    return mask;
  }
}
