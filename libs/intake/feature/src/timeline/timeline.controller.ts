import { Controller, Get, Param, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, principalOf, RequireScope, type AuthenticatedRequest } from '@sms/auth';
import { notFound } from '@sms/platform';
import { MessageTimeline } from './message-timeline';
import { TimelineDto } from './timeline.dto';
import type { TimelineView } from './timeline.views';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('messages')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/messages')
export class TimelineController {
  constructor(private readonly timeline: MessageTimeline) {}

  @Get(':id/timeline')
  @RequireScope(ApiScope.Read)
  @ApiOperation({
    operationId: 'getMessageTimeline',
    summary: "A message's events, attempts, route, raw receipts and callbacks",
  })
  @ApiResponse({ status: 200, type: TimelineDto })
  @ApiResponse({ status: 404, description: "No such message in the caller's account (another account's is 404 too)" })
  async get(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<TimelineView> {
    if (!UUID.test(id)) {
      throw notFound('Message');
    }
    const timeline = await this.timeline.find(id.toLowerCase(), principalOf(request).accountId);
    if (!timeline) {
      throw notFound('Message');
    }

    return timeline;
  }
}
