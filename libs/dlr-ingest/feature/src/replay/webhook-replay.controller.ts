import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { ApiErrorFilter, serviceUnavailable, unprocessable } from '@sms/platform';
import { WebhookReplayRequestDto, WebhookReplayResultDto } from './webhook-replay.dto';
import { ReplayPublishError, type ReplaySelection, WebhookReplayService } from './webhook-replay.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An ISO 8601 date-time with a zone ("2026-11-22T10:00:00Z"), not whatever `new Date()` would guess from "1". */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function isoTimeOf(value: unknown): Date | null {
  return typeof value === 'string' && ISO_TIME.test(value) ? new Date(value) : null;
}

/** Reads `{ ids }` or `{ provider, from, to }`; anything else is a 422 with the field at fault. */
export function parseReplaySelection(body: unknown): ReplaySelection {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw unprocessable('INVALID_REPLAY_SELECTION', 'Give { ids } or { provider, from, to }');
  }
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((key) => !['ids', 'provider', 'from', 'to'].includes(key));
  if (unknown !== undefined) {
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${unknown}'`, unknown);
  }
  if (input['ids'] !== undefined) {
    const mixed = ['provider', 'from', 'to'].find((key) => input[key] !== undefined);
    if (mixed !== undefined) {
      throw unprocessable('INVALID_REPLAY_SELECTION', 'Give either ids or provider, from and to', mixed);
    }
    const ids = input['ids'];
    if (
      !Array.isArray(ids) ||
      ids.length === 0 ||
      ids.length > 1000 ||
      !ids.every((id) => typeof id === 'string' && UUID.test(id))
    ) {
      throw unprocessable('INVALID_REPLAY_SELECTION', 'ids must be 1..1000 webhook ids', 'ids');
    }

    return { ids: ids as string[] };
  }
  const provider = input['provider'];
  if (typeof provider !== 'string' || !/^[a-z0-9_-]{1,64}$/i.test(provider)) {
    throw unprocessable('INVALID_REPLAY_SELECTION', 'provider is required', 'provider');
  }
  const from = isoTimeOf(input['from']);
  const to = isoTimeOf(input['to']);
  if (!from || Number.isNaN(from.getTime())) {
    throw unprocessable('INVALID_REPLAY_SELECTION', 'from must be an ISO 8601 time', 'from');
  }
  if (!to || Number.isNaN(to.getTime()) || to <= from) {
    throw unprocessable('INVALID_REPLAY_SELECTION', 'to must be an ISO 8601 time after from', 'to');
  }

  return { provider, from, to };
}

/** Operator route (operator scope): re-run the current parsers over stored receipts. */
@ApiTags('operations')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/admin/webhooks')
export class WebhookReplayController {
  constructor(private readonly replays: WebhookReplayService) {}

  @Post('replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Re-parse stored delivery receipts (by ids, or by provider and time range)',
    operationId: 'replayProviderWebhooks',
  })
  @ApiBody({ type: WebhookReplayRequestDto })
  @ApiResponse({ status: 202, description: 'The receipts put back through the parsers', type: WebhookReplayResultDto })
  async replay(
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<{ replayed: number; truncated: boolean }> {
    ApiErrorFilter.requireJson(contentType);

    const selection = parseReplaySelection(body);
    try {
      return await this.replays.replay(selection);
    } catch (error) {
      // A replay is idempotent: the operator simply sends it again once the bus is back.
      throw error instanceof ReplayPublishError ? serviceUnavailable(error.message, 5) : error;
    }
  }
}
