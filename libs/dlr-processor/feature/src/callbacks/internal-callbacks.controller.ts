import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CALLBACK_LOG_READER, type CallbackLogReader, type CallbackLogView } from '@sms/contracts';
import { InternalTokenGuard, notFound } from '@sms/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Intake's read of a message's caller callbacks in the distributed mode (docs/api.md "A message's timeline").
 * Internal token only; intake has already checked that the message is the caller's.
 */
@ApiExcludeController()
@UseGuards(InternalTokenGuard)
@Controller('internal/v1/messages')
export class InternalCallbacksController {
  constructor(@Inject(CALLBACK_LOG_READER) private readonly reader: CallbackLogReader) {}

  @Get(':id/callbacks')
  async list(@Param('id') id: string): Promise<{ data: CallbackLogView[] }> {
    if (!UUID.test(id)) {
      throw notFound('Message');
    }

    return { data: await this.reader.read(id.toLowerCase()) };
  }
}
