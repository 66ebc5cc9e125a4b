import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RAW_RECEIPT_READER, type RawReceiptReader, type RawReceiptView, TIMELINE_MAX_RECEIPTS } from '@sms/contracts';
import { InternalTokenGuard, unprocessable } from '@sms/platform';

/** Stored webhook ids are UUIDs; anything else is not one of ours. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Intake's read of a message's raw receipts in the distributed mode (docs/api.md "A message's timeline"):
 * by the ids intake learned from the receipt events. Internal token only; not part of the public API.
 */
@ApiExcludeController()
@UseGuards(InternalTokenGuard)
@Controller('internal/v1/receipts')
export class InternalReceiptsController {
  constructor(@Inject(RAW_RECEIPT_READER) private readonly reader: RawReceiptReader) {}

  @Get()
  async list(@Query('ids') ids: unknown): Promise<{ data: RawReceiptView[] }> {
    const wanted = typeof ids === 'string' && ids !== '' ? ids.split(',') : [];
    if (wanted.length > TIMELINE_MAX_RECEIPTS || wanted.some((id) => !ID.test(id))) {
      throw unprocessable('INVALID_IDS', `ids must be up to ${TIMELINE_MAX_RECEIPTS} comma-separated ids`, 'ids');
    }

    return { data: await this.reader.read(wanted.map((id) => id.toLowerCase())) };
  }
}
