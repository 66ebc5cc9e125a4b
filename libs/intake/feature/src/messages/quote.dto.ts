import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of `POST /v1/messages/quote` (api.md "Quotes"). */
export class QuoteChosenDto {
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: '+447400900100' }) sender!: string;
  @ApiProperty({ example: '0.04', description: 'per segment' }) price!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

export class QuoteNetworkDto {
  @ApiProperty({ nullable: true, type: String, example: '234' }) mcc!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '30' }) mnc!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'EE Limited' }) carrierName!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'mobile' }) lineType!: string | null;
  @ApiProperty({ enum: ['lookup', 'cache', 'none'] }) source!: string;
  @ApiProperty({ example: 'lookups off for GB' }) detail!: string;
}

export class QuoteRuleDto {
  @ApiProperty({ enum: ['network', 'country', 'default'] }) level!: string;
  @ApiProperty({ nullable: true, type: String, example: '234-30' }) network!: string | null;
}

export class QuoteRouteDto {
  @ApiProperty({ enum: ['route', 'no-route', 'refused', 'unavailable'] }) decision!: string;
  @ApiProperty({ nullable: true, type: QuoteChosenDto }) chosen!: QuoteChosenDto | null;
  @ApiProperty({ nullable: true, type: String, example: null }) code!: string | null;
  @ApiProperty() reason!: string;
  @ApiPropertyOptional({
    type: QuoteNetworkDto,
    description: "the destination's mobile network the router used (number portability); absent when unavailable",
  })
  network?: QuoteNetworkDto;
  @ApiPropertyOptional({
    type: QuoteRuleDto,
    description: "the rule the router applied: the destination network's, the country's, or the defaults",
  })
  rule?: QuoteRuleDto;
}

export class QuoteDto {
  @ApiProperty({ example: '+447400123456' }) to!: string;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ example: 'mobile' }) numberType!: string;
  @ApiProperty({ nullable: true, type: String }) from!: string | null;
  @ApiProperty({ example: 'transactional' }) messageClass!: string;
  @ApiProperty({ description: 'The body as it would be sent (after smart encoding)' }) body!: string;
  @ApiProperty({ enum: ['GSM-7', 'UCS-2'] }) encoding!: string;
  @ApiProperty({ example: 1 }) segments!: number;
  @ApiProperty({ example: 0 }) segmentsSaved!: number;
  @ApiProperty({ description: 'A send would be refused with RECIPIENT_OPTED_OUT' }) optedOut!: boolean;
  @ApiProperty({ type: QuoteRouteDto }) route!: QuoteRouteDto;
  @ApiProperty({ nullable: true, type: String, example: '0.04' }) total!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'USD' }) currency!: string | null;
}
