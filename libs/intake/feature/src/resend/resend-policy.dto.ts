import { ApiProperty } from '@nestjs/swagger';
import { MessageClass } from '@sms/contracts';

/** OpenAPI shapes of the overdue re-send policy (docs/reconciliation.md): the document only, no validation. */
export class ResendPolicyInputDto {
  @ApiProperty({ description: 'Re-send overdue messages of these classes once through another route' })
  enabled!: boolean;
  @ApiProperty({ enum: MessageClass, isArray: true, example: [MessageClass.Transactional] })
  classes!: MessageClass[];
}

export class ResendPolicyDto extends ResendPolicyInputDto {
  @ApiProperty({
    enum: ['account', 'operator', 'env'],
    description: "Who set it: the account's own policy, the operator's default, or RESEND_ON_RECEIPT_TIMEOUT",
  })
  source!: 'account' | 'operator' | 'env';
}

export class AccountResendPolicyDto extends ResendPolicyDto {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ type: ResendPolicyInputDto, nullable: true, description: "The account's own policy, if any" })
  own!: ResendPolicyInputDto | null;
}
