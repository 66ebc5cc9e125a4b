import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { ApiError, ApiErrorFilter, RouteBodyLimit } from '@sms/platform';
import { MAX_BATCH_BODY_BYTES } from './batch-request';
import { BatchService, type BatchView } from './batch.service';
import { BatchResponseDto, SendBatchDto } from './batch.dto';

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/messages')
export class BatchController {
  constructor(private readonly batches: BatchService) {}

  @Post('batch')
  @HttpCode(200)
  @RequireScope(ApiScope.Send)
  @RouteBodyLimit(MAX_BATCH_BODY_BYTES)
  @ApiOperation({ summary: 'Queue up to 1,000 messages; one result per message, in order' })
  @ApiBody({ type: SendBatchDto })
  @ApiResponse({ status: 200, type: BatchResponseDto })
  @ApiResponse({ status: 422, description: 'The envelope is broken (INVALID_BATCH, BATCH_TOO_LARGE, ...)' })
  async send(@Req() request: AuthenticatedRequest): Promise<BatchView> {
    ApiErrorFilter.requireJson(request.headers['content-type']);
    if (request.headers['idempotency-key'] !== undefined) {
      // A key for the whole batch would promise a replay the per-item results cannot keep: refuse, don't ignore.
      throw new ApiError(
        400,
        'IDEMPOTENCY_KEY_NOT_SUPPORTED',
        'A batch takes an idempotencyKey per message, not an Idempotency-Key header',
      );
    }

    return this.batches.accept(request.body, principalOf(request));
  }
}
