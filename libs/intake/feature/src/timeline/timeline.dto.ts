import { ApiProperty, OmitType } from '@nestjs/swagger';
import { MessageDto } from '../messages/message.dto';

/** OpenAPI schemas of GET /v1/messages/{id}/timeline (timeline.views.ts). */
export class TimelineMessageDto extends OmitType(MessageDto, ['events', 'charges', 'costs'] as const) {
  @ApiProperty({ example: 'Your code is 123456' }) body!: string;
}

export class TimelineEventDto {
  @ApiProperty({ example: 'delivered' }) status!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'dlr' }) source!: string;
  @ApiProperty({ nullable: true, type: String, example: 'twilio' }) provider!: string | null;
  @ApiProperty({ nullable: true, type: Number }) attempt!: number | null;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: String }) detail!: string | null;
  @ApiProperty({ description: 'false when a late or duplicate report did not change the message' }) applied!: boolean;
}

export class TimelineAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ nullable: true, type: String }) provider!: string | null;
  @ApiProperty({ nullable: true, type: String }) sender!: string | null;
  @ApiProperty({ nullable: true, type: String }) providerMessageId!: string | null;
  @ApiProperty({ example: 'sent' }) outcome!: string;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '0.0400' }) cost!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'USD' }) currency!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) answeredAt!: string;
}

export class TimelineRouteDto {
  @ApiProperty({ nullable: true, type: String }) provider!: string | null;
  @ApiProperty({ nullable: true, type: String }) sender!: string | null;
  @ApiProperty() reason!: string;
}

export class TimelineReceiptDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty() verified!: boolean;
  @ApiProperty() contentType!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers!: Record<string, string>;
  @ApiProperty({ description: 'As the provider sent it' }) body!: string;
}

export class TimelineCallbackDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ example: 'delivered' }) state!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) settledAt!: string | null;
}

export class TimelineDto {
  @ApiProperty({ type: TimelineMessageDto }) message!: TimelineMessageDto;
  @ApiProperty({ type: [TimelineEventDto] }) events!: TimelineEventDto[];
  @ApiProperty({ type: [TimelineAttemptDto] }) attempts!: TimelineAttemptDto[];
  @ApiProperty({ type: TimelineRouteDto, nullable: true }) route!: TimelineRouteDto | null;
  @ApiProperty({ type: [TimelineReceiptDto] }) receipts!: TimelineReceiptDto[];
  @ApiProperty({ type: [TimelineCallbackDto] }) callbacks!: TimelineCallbackDto[];
  @ApiProperty({
    type: [String],
    enum: ['receipts', 'callbacks'],
    description: 'Parts kept by other services that could not be read in time (they are then empty)',
  })
  unavailable!: string[];
}
