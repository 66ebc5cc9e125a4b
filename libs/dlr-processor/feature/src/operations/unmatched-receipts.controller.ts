import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { unprocessable } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { ParkedReceiptEntity } from '../database/entities/parked-receipt.entity';
import { DLR_PROCESSOR_DATA_SOURCE } from '../tokens';
import { UnmatchedReceiptListDto } from './unmatched-receipts.dto';

export interface UnmatchedReceiptView {
  readonly id: string;
  readonly provider: string;
  readonly providerMessageId: string;
  /** unmatched: no message with this provider id (yet); unreadable: the parser read nothing. */
  readonly reason: string;
  readonly status: string | null;
  readonly detail: string | null;
  readonly webhookId: string | null;
  readonly parkedAt: string;
}

/**
 * Operator route (operator scope: receipts are not per account yet): receipts that matched no message. A receipt parked for a few
 * seconds is usually an early one waiting for its send result; `olderThanSeconds` filters those out.
 */
@ApiTags('operations')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/admin/receipts')
export class UnmatchedReceiptsController {
  constructor(@Inject(DLR_PROCESSOR_DATA_SOURCE) private readonly dataSource: DataSource) {}

  @Get('unmatched')
  @ApiOperation({ summary: 'Receipts kept because they matched no message (or could not be read)' })
  @ApiResponse({ status: 200, description: 'Newest first', type: UnmatchedReceiptListDto })
  async list(
    // unknown: a repeated parameter arrives as an array, and a hostile one as anything.
    @Query('provider') provider?: unknown,
    @Query('olderThanSeconds') olderThan?: unknown,
    @Query('limit') limitText?: unknown,
  ): Promise<{ data: UnmatchedReceiptView[] }> {
    const limit = limitText === undefined ? 100 : decimalOf(limitText);
    if (limit === null || limit < 1 || limit > 1000) {
      throw unprocessable('INVALID_LIMIT', 'limit must be an integer 1..1000', 'limit');
    }
    const age = olderThan === undefined ? 0 : decimalOf(olderThan);
    // Ten years at most: a larger age would make the cutoff an invalid date.
    if (age === null || age > 315_360_000) {
      throw unprocessable('INVALID_AGE', 'olderThanSeconds must be an integer 0..315360000', 'olderThanSeconds');
    }
    if (provider !== undefined && (typeof provider !== 'string' || !PROVIDER_ID.test(provider))) {
      throw unprocessable('INVALID_PROVIDER', 'provider must be one provider id', 'provider');
    }
    const query = this.dataSource
      .getRepository(ParkedReceiptEntity)
      .createQueryBuilder('p')
      .where('p.parkedAt <= :cutoff', { cutoff: new Date(Date.now() - age * 1000) })
      .orderBy('p.parkedAt', 'DESC')
      .limit(limit);
    if (provider) {
      query.andWhere('p.provider = :provider', { provider });
    }
    const rows = await query.getMany();

    return { data: rows.map(toView) };
  }
}

const PROVIDER_ID = /^[a-z0-9_-]{1,64}$/i;

/** A plain non-negative decimal integer ("16", not "0x10", " 5" or "1e3"), or null. */
function decimalOf(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : null;
}

function toView(row: ParkedReceiptEntity): UnmatchedReceiptView {
  const event = JSON.parse(row.event) as { kind?: string; detail?: string };

  return {
    id: String(row.id),
    provider: row.provider,
    providerMessageId: row.providerMessageId,
    reason: row.reason,
    status: event.kind ?? null,
    detail: event.detail ?? null,
    webhookId: row.webhookId,
    parkedAt: row.parkedAt.toISOString(),
  };
}
