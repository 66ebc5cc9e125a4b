import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the operator API; validation lives in operator-input.ts (one code per rule). */
export class ProviderView {
  @ApiProperty({ example: 'twilio' }) id!: string;
  @ApiProperty({ enum: ['twilio', 'vonage', 'aws', 'sinch', 'smpp'] }) kind!: string;
  @ApiProperty({ example: 'Twilio production account' }) name!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ProviderListView {
  @ApiProperty({ type: [ProviderView] }) data!: ProviderView[];
}

export class CreateProviderDto {
  @ApiProperty({ example: 'vonage-eu', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }) id!: string;
  @ApiPropertyOptional({ enum: ['twilio', 'vonage', 'aws', 'sinch', 'smpp'], description: 'defaults to id' })
  kind?: string;
  @ApiPropertyOptional({ maxLength: 128 }) name?: string;
  @ApiPropertyOptional({ default: true }) active?: boolean;
}

export class UpdateProviderDto {
  @ApiPropertyOptional({ maxLength: 128 }) name?: string;
  @ApiPropertyOptional() active?: boolean;
}

export class NumberView {
  @ApiProperty({ example: '+447400900999', description: 'E.164, short code digits or alphanumeric sender ID' })
  number!: string;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ enum: ['longcode', 'shortcode', 'tollfree', 'alphanumeric'] }) type!: string;
  @ApiProperty({ enum: ['sms', 'two_way', 'masking'], isArray: true }) capabilities!: string[];
  @ApiProperty({ nullable: true, type: String, example: '1.15' }) monthlyCost!: string | null;
  @ApiProperty({ example: 1, description: 'carrier limit in segments per second' }) segmentsPerSecond!: number;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'uuid', description: 'the account inbound messages to the number are filed under' })
  accountId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class NumberListView {
  @ApiProperty({ type: [NumberView] }) data!: NumberView[];
}

export class CreateNumberDto {
  @ApiProperty({ example: '+447400900997' }) number!: string;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ enum: ['longcode', 'shortcode', 'tollfree', 'alphanumeric'] }) type!: string;
  @ApiPropertyOptional({ enum: ['sms', 'two_way', 'masking'], isArray: true, default: ['sms'] })
  capabilities?: string[];
  @ApiPropertyOptional({ example: '1.15' }) monthlyCost?: string;
  @ApiPropertyOptional({
    description: 'defaults per type: longcode 1, tollfree 3, shortcode 100, alphanumeric 10',
    minimum: 0.01,
    maximum: 10000,
  })
  segmentsPerSecond?: number;
  @ApiPropertyOptional({ default: true }) active?: boolean;
  @ApiPropertyOptional({ format: 'uuid', description: 'owner of inbound messages; default: the default account' })
  accountId?: string;
}

export class UpdateNumberDto {
  @ApiPropertyOptional({ enum: ['sms', 'two_way', 'masking'], isArray: true }) capabilities?: string[];
  @ApiPropertyOptional() monthlyCost?: string;
  @ApiPropertyOptional() segmentsPerSecond?: number;
  @ApiPropertyOptional() active?: boolean;
  @ApiPropertyOptional({ format: 'uuid' }) accountId?: string;
}

export class RateView {
  @ApiProperty({ example: '12' }) id!: string;
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ example: '447', description: "E.164 digits the destination starts with; '' = whole country" })
  prefix!: string;
  @ApiProperty({ nullable: true, type: String, example: '234', description: 'mobile network (MCC); null = any' })
  mcc!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '30', description: 'mobile network (MNC); null = any' })
  mnc!: string | null;
  @ApiProperty({ example: '0.0400', description: 'per segment' }) price!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

export class CreateRateDto {
  @ApiProperty({ example: 'twilio' }) provider!: string;
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiPropertyOptional({ example: '447', default: '' }) prefix?: string;
  @ApiPropertyOptional({
    example: '234',
    description: 'with mnc: the rate applies only to numbers a lookup places on this network, and wins there',
  })
  mcc?: string;
  @ApiPropertyOptional({ example: '30' }) mnc?: string;
  @ApiProperty({ example: '0.0400' }) price!: string;
  @ApiPropertyOptional({ example: 'USD', default: 'USD' }) currency?: string;
}

export class UpdateRateDto {
  @ApiPropertyOptional({ example: '0.0390' }) price?: string;
  @ApiPropertyOptional({ example: 'USD' }) currency?: string;
}

export class CountryRuleView {
  @ApiProperty({ example: 'US' }) country!: string;
  @ApiProperty({
    enum: ['longcode', 'shortcode', 'tollfree', 'alphanumeric'],
    isArray: true,
    description: 'empty = all',
  })
  allowedSenderTypes!: string[];
  @ApiProperty({ enum: ['allowed', 'registration', 'forbidden'] }) senderIdPolicy!: string;
  @ApiProperty() localNumberRequired!: boolean;
  @ApiProperty() blocked!: boolean;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PutCountryRuleDto {
  @ApiPropertyOptional({ enum: ['longcode', 'shortcode', 'tollfree', 'alphanumeric'], isArray: true })
  allowedSenderTypes?: string[];
  @ApiPropertyOptional({ enum: ['allowed', 'registration', 'forbidden'], default: 'allowed' })
  senderIdPolicy?: string;
  @ApiPropertyOptional({ default: false }) localNumberRequired?: boolean;
  @ApiPropertyOptional({ default: false }) blocked?: boolean;
}

export class NetworkRuleView extends CountryRuleView {
  @ApiProperty({ example: '234-30', description: 'the mobile network (MCC-MNC) the rule is for' }) network!: string;
  @ApiProperty({ example: '234' }) mcc!: string;
  @ApiProperty({ example: '30' }) mnc!: string;
}

export class LookupSettingView {
  @ApiProperty({ example: 'GB' }) country!: string;
  @ApiProperty({ description: 'look destination numbers up before routing (each lookup costs money)' })
  enabled!: boolean;
  @ApiProperty({ enum: ['twilio'], description: 'the lookup source' }) provider!: string;
  @ApiProperty({ example: 2592000, description: 'how long an answer is kept; a "not found" a tenth of it' })
  ttlSeconds!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class LookupSettingListView {
  @ApiProperty({ type: [LookupSettingView] }) data!: LookupSettingView[];
}

export class PutLookupSettingDto {
  @ApiProperty() enabled!: boolean;
  @ApiPropertyOptional({ enum: ['twilio'], default: 'twilio' }) provider?: string;
  @ApiPropertyOptional({ default: 2592000, minimum: 60, maximum: 7776000 }) ttlSeconds?: number;
}

export class RoutesView {
  @ApiProperty({ type: [RateView] }) rates!: RateView[];
  @ApiProperty({ type: [CountryRuleView] }) rules!: CountryRuleView[];
  @ApiProperty({
    type: [NetworkRuleView],
    description: "per-network rules: each replaces its country's rule for numbers a lookup places on the network",
  })
  networkRules!: NetworkRuleView[];
}

export class CandidateHealthView {
  @ApiProperty() attempts!: number;
  @ApiProperty({ description: 'errors / attempts over the last 5 minutes' }) errorRate!: number;
  @ApiProperty({ nullable: true, type: Number }) deliveryRate!: number | null;
  @ApiProperty({ nullable: true, type: Number }) latencyMs!: number | null;
  @ApiProperty({ description: 'successful sends since the last error' }) streak!: number;
  @ApiProperty() unhealthy!: boolean;
}

export class RouteQualityView {
  @ApiProperty({ description: 'messages sent: recent window plus days of hourly roll-ups' }) sent!: number;
  @ApiProperty({ description: 'final outcomes counted: delivered + undelivered + overdue' }) outcomes!: number;
  @ApiProperty({ description: 'delivered / outcomes, smoothed toward the provider (docs/routing.md)' })
  deliveryRate!: number;
  @ApiProperty({ description: 'failed send attempts / attempts, smoothed likewise' }) errorRate!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'send to delivered receipt' }) latencyP50Ms!: number | null;
  @ApiProperty({ nullable: true, type: Number }) latencyP95Ms!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'share of sent messages with a final receipt in time' })
  coverage!: number | null;
  @ApiProperty({ description: 'messages whose receipt did not come before the deadline' }) overdue!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { transient: 2, permanent: 1, opted_out: 0, configuration: 0, other: 0 },
  })
  errorsByClass!: Record<string, number>;
  @ApiProperty({ description: 'outcomes in the recent window alone' }) recentOutcomes!: number;
  @ApiProperty({
    enum: ['network', 'country', 'provider', 'prior'],
    description:
      "whose figures: the route on the destination's network (smoothed toward the country's), the route for " +
      'the country, the provider over every country, or the priors (docs/routing.md)',
  })
  level!: string;
}

export class ScoreFactorView {
  @ApiProperty({ enum: ['cost', 'delivery', 'latency', 'errors'] }) factor!: string;
  @ApiProperty({ description: 'cost per message, delivery rate, receipt latency p95 (ms) or error rate' })
  raw!: number;
  @ApiProperty({ description: '0 best … 1 worst' }) normalised!: number;
  @ApiProperty() weight!: number;
  @ApiProperty({ description: 'normalised × weight / sum of the weights' }) contribution!: number;
}

export class CandidateView {
  @ApiProperty() providerId!: string;
  @ApiProperty() price!: string;
  @ApiProperty() currency!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty({ example: '234-30', description: "the rate's mobile network (MCC-MNC); '' = any network" })
  network!: string;
  @ApiProperty({ description: 'price x segments' }) cost!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'lower wins; null when filtered out first' })
  score!: number | null;
  @ApiProperty({ nullable: true, type: String }) senderType!: string | null;
  @ApiProperty({ type: [String] }) senders!: string[];
  @ApiProperty({ type: CandidateHealthView }) health!: CandidateHealthView;
  @ApiProperty({ nullable: true, type: RouteQualityView }) quality!: RouteQualityView | null;
  @ApiProperty({ nullable: true, type: [ScoreFactorView], description: 'null: the score is cost × multiplier' })
  factors!: ScoreFactorView[] | null;
  @ApiProperty({ description: '5-minute health × sender type; the score is this × the contributions' })
  multiplier!: number;
  @ApiProperty({ enum: ['chosen', 'tied', 'lost'] }) outcome!: string;
  @ApiProperty({ example: 'score 0.042 above 0.040 (dearer: 0.0420 vs 0.0400 USD/segment)' }) reason!: string;
}

export class ChosenRouteView {
  @ApiProperty() provider!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() price!: string;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: "wait for the sender's rate limit if sent now" }) delayMs!: number;
}

export class NetworkView {
  @ApiProperty({ nullable: true, type: String, example: '234', description: 'mobile country code; null = not known' })
  mcc!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '30' }) mnc!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'EE Limited' }) carrierName!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'mobile' }) lineType!: string | null;
  @ApiProperty({
    enum: ['lookup', 'cache', 'none'],
    description: 'a number lookup now, a cached lookup, or none (routed by prefix)',
  })
  source!: 'lookup' | 'cache' | 'none';
  @ApiProperty({ example: 'lookups off for GB', description: 'the lookup source, or why there is no network' })
  detail!: string;
}

export class RuleAppliedView {
  @ApiProperty({
    enum: ['network', 'country', 'default'],
    description: "the destination network's rule, the country's, or the defaults (no rule set)",
  })
  level!: 'network' | 'country' | 'default';
  @ApiProperty({ nullable: true, type: String, example: '234-30', description: 'the network of a network rule' })
  network!: string | null;
}

export class ExplainView {
  @ApiProperty() to!: string;
  @ApiProperty() country!: string;
  @ApiProperty() messageClass!: string;
  @ApiProperty() segments!: number;
  @ApiProperty({ type: NetworkView, description: "the destination's mobile network the decision used (portability)" })
  network!: NetworkView;
  @ApiProperty({ type: RuleAppliedView, description: 'which rule the decision applied' }) rule!: RuleAppliedView;
  @ApiProperty({ enum: ['route', 'no-route', 'refused'] }) decision!: string;
  @ApiProperty({ nullable: true, type: ChosenRouteView }) chosen!: ChosenRouteView | null;
  @ApiProperty({ nullable: true, type: String, example: 'NO_ROUTE' }) code!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: [CandidateView] }) candidates!: CandidateView[];
}
