import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NUMBER_TYPES } from './limit-policy';

/** OpenAPI shapes of `/v1/accounts/{id}/limits` (docs/limits.md): the document only, no validation. */
const ALLOWED_COUNTRIES = {
  oneOf: [
    { type: 'string', enum: ['*'] },
    { type: 'array', items: { type: 'string', example: 'GB' } },
  ],
};

/** LimitsView: counts as numbers, money as decimal strings, null = no limit. */
export class LimitsViewDto {
  @ApiProperty({ nullable: true, type: Number, example: 10 }) messagesPerSecond!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 10000 }) messagesPerDay!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 20000 }) segmentsPerDay!: number | null;
  @ApiProperty({ nullable: true, type: String, example: '250.00' }) spendPerDay!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '5000.00' }) spendPerMonth!: string | null;
  @ApiProperty({ nullable: true, ...ALLOWED_COUNTRIES, description: '`*` for every country' })
  allowedCountries!: '*' | string[] | null;
  @ApiProperty({ nullable: true, type: [String], example: ['KP'] }) blockedCountries!: string[] | null;
  @ApiProperty({ nullable: true, enum: NUMBER_TYPES, isArray: true, example: ['MOBILE'] })
  numberTypes!: string[] | null;
}

export class KeyLimitsViewDto {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ type: LimitsViewDto }) limits!: LimitsViewDto;
}

/** AccountLimitsView: the answer of GET and both PUTs. */
export class AccountLimitsDto {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({
    enum: ['account', 'default'],
    description: '`account` when the account has limits of its own, `default` when it runs on the defaults',
  })
  source!: 'account' | 'default';
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ type: LimitsViewDto }) limits!: LimitsViewDto;
  @ApiProperty({ type: [KeyLimitsViewDto] }) keys!: KeyLimitsViewDto[];
}

/** PUT /v1/accounts/{id}/limits: the whole document; a field left out takes the configured default. */
export class AccountLimitsInputDto {
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 1_000_000_000 })
  messagesPerSecond?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 1_000_000_000 })
  messagesPerDay?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 1_000_000_000 })
  segmentsPerDay?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '250.00' }) spendPerDay?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '5000.00' }) spendPerMonth?: string | null;
  @ApiPropertyOptional({ ...ALLOWED_COUNTRIES, description: '`*` for every country' })
  allowedCountries?: '*' | string[];
  @ApiPropertyOptional({ type: [String], maxItems: 300, example: ['KP'] }) blockedCountries?: string[];
  @ApiPropertyOptional({ enum: NUMBER_TYPES, isArray: true, example: ['MOBILE'] }) numberTypes?: string[];
}

/** PUT /v1/accounts/{id}/limits/keys/{keyId}: a field left out or null adds nothing to the account's. */
export class KeyLimitsInputDto {
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 1_000_000_000 })
  messagesPerSecond?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 1_000_000_000 })
  messagesPerDay?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 1_000_000_000 })
  segmentsPerDay?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '25.00' }) spendPerDay?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '500.00' }) spendPerMonth?: string | null;
  @ApiPropertyOptional({ nullable: true, ...ALLOWED_COUNTRIES, description: '`*` for every country' })
  allowedCountries?: '*' | string[] | null;
  @ApiPropertyOptional({ nullable: true, type: [String], maxItems: 300, example: ['GB'] })
  blockedCountries?: string[] | null;
  @ApiPropertyOptional({ nullable: true, enum: NUMBER_TYPES, isArray: true, example: ['MOBILE'] })
  numberTypes?: string[] | null;
}
