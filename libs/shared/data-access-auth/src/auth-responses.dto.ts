import { ApiProperty } from '@nestjs/swagger';
import { ApiScope } from './api-key.service';

/** OpenAPI shapes of the accounts and api-keys answers (AccountView, ApiKeyView): the document only, no validation. */
export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Acme Ltd' }) name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'Default for sends without `smartEncoding`', example: false }) smartEncoding!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "Region the account's messages are kept in (docs/regions.md); null: by the recipient's country",
    example: null,
  })
  dataResidency!: string | null;
}

export class AccountListDto {
  @ApiProperty({ type: [AccountDto] }) data!: AccountDto[];
}

/** GET /v1/account: the caller's account and the key it called with. */
export class OwnAccountDto extends AccountDto {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ enum: ApiScope, isArray: true, example: ['send', 'read'] }) scopes!: ApiScope[];
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ example: 'billing-service' }) name!: string;
  @ApiProperty({ description: 'The first characters of the key, to recognise it', example: 'smsgw_Ab12Cd' })
  prefix!: string;
  @ApiProperty({ enum: ApiScope, isArray: true, example: ['send', 'read'] }) scopes!: ApiScope[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: string | null;
}

/** POST /v1/api-keys: the only answer that shows the key itself. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself, shown once' }) key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) data!: ApiKeyDto[];
}
