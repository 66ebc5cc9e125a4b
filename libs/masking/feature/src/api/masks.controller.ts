import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { ApiErrorFilter, notFound } from '@sms/platform';
import { parseMaskRequest } from '../sessions/mask-request';
import { MaskSessions, type MaskView } from '../sessions/mask-sessions';
import { CreateMaskDto, MaskDto } from './mask.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

    return this.sessions.create(parseMaskRequest(request.body));
  }

  @Get(':id')
  @RequireScope(ApiScope.Read)
  @ApiOperation({ summary: 'A masking session (closed once expired)' })
  @ApiResponse({ status: 200, type: MaskDto })
  async get(@Param('id') id: string): Promise<MaskView> {
    return this.findOrThrow(id);
  }

  @Delete(':id')
  @RequireScope(ApiScope.Send)
  @ApiOperation({ summary: 'Close a session; its numbers return to the pool' })
  @ApiResponse({ status: 200, type: MaskDto })
  async close(@Param('id') id: string): Promise<MaskView> {
    await this.findOrThrow(id);
    await this.sessions.close(id.toLowerCase());

    return this.findOrThrow(id);
  }

  private async findOrThrow(id: string): Promise<MaskView> {
    const mask = UUID.test(id) ? await this.sessions.find(id.toLowerCase()) : null;
    if (!mask) {
      throw notFound('Mask');
    }

    return mask;
  }
}
