import { Body, Controller, Headers, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  assertReplayRequest,
  type Bus,
  DlqReplayRequestError,
  type DlqReplayRequest,
  type DlqReplayResult,
  DlqTopicNotFoundError,
  isInfrastructureError,
} from '@sms/bus';
import { ApiError, ApiErrorFilter, BUS, serviceUnavailable, unprocessable } from '@sms/platform';
import { ApiKeyGuard, RequireScope } from './api-key.guard';
import { ApiScope } from './api-key.service';
import { DlqReplayRequestDto, DlqReplayResultDto } from './dlq-replay.dto';

/** An ISO 8601 date-time with a zone ("2026-12-06T10:00:00Z"), not whatever `new Date()` would guess from "1". */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const FIELDS = ['topic', 'from', 'to', 'limit', 'dryRun'] as const;

const invalid = (field: string, message: string): ApiError => unprocessable('INVALID_DLQ_REPLAY', message, field);

/** Reads `{ topic, from?, to?, limit?, dryRun? }`; anything else is a 422 naming the field at fault. */
export function parseDlqReplayBody(body: unknown): DlqReplayRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('topic', 'Give { topic, from?, to?, limit?, dryRun? }');
  }
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw unprocessable('UNKNOWN_FIELD', `Unknown field '${unknown}'`, unknown);
  }
  if (typeof input['topic'] !== 'string') {
    throw invalid('topic', 'topic (the DLQ topic, <topic>.dlq) is required');
  }
  const time = (field: 'from' | 'to'): Date | undefined => {
    const value = input[field];
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'string' || !ISO_TIME.test(value) || Number.isNaN(new Date(value).getTime())) {
      throw invalid(field, `${field} must be an ISO 8601 time with a zone`);
    }

    return new Date(value);
  };
  const limit = input['limit'];
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit))) {
    throw invalid('limit', 'limit must be an integer');
  }
  const dryRun = input['dryRun'];
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    throw invalid('dryRun', 'dryRun must be a boolean');
  }
  const request: DlqReplayRequest = {
    dlqTopic: input['topic'],
    from: time('from'),
    to: time('to'),
    ...(limit !== undefined ? { limit } : {}),
    ...(dryRun !== undefined ? { dryRun } : {}),
  };
  try {
    assertReplayRequest(request);
  } catch (error) {
    if (error instanceof DlqReplayRequestError) {
      throw invalid(error.field, error.message);
    }
    throw error;
  }

  return request;
}

/**
 * Operator route (platform-wide, so the operator scope; admin does not imply it): put dead-lettered records
 * back on their source topic. Each dead letter is replayed at most once, whichever route or command did it.
 */
@ApiTags('operations')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/admin/dlq')
export class DlqReplayController {
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay dead-lettered records of one DLQ topic onto their source topic' })
  @ApiBody({ type: DlqReplayRequestDto })
  @ApiResponse({ status: 200, description: 'What was replayed (or, on a dry run, would be)', type: DlqReplayResultDto })
  async replay(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<DlqReplayResult> {
    ApiErrorFilter.requireJson(contentType);
    const request = parseDlqReplayBody(body);
    try {
      return await this.bus.replayDeadLetters(request);
    } catch (error) {
      if (error instanceof DlqTopicNotFoundError) {
        throw new ApiError(404, 'DLQ_TOPIC_NOT_FOUND', error.message, 'topic');
      }
      // The bus is down or closing: nothing was replayed, or a replay is safe to send again.
      if (isInfrastructureError(error)) {
        throw serviceUnavailable('The bus is unavailable; nothing was lost, send the replay again', 5);
      }
      throw error;
    }
  }
}
